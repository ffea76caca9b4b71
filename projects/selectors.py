"""Reads of the projects app, already narrowed to what the user may see.

A project is visible to its members (directly or through an SSO group) and to the
stewards and owners of its domain. Environments follow their project. The projects
app's own pages and API also show platform admins every project and environment
(``platform_wide``): they set the platform up and need to see what runs on it. That
sight is read-only (the services still ask for a designation) and stops at this app:
``visible_projects``, which the catalog, subscriptions and sharing narrow by, leaves
it out, so an admin reads no inventory or grants of a project they are not part of. Domains,
accounts and profiles are visible to every signed-in user: people need them to create
projects and environments.
"""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from .choices import Designation, DomainRole, EnvironmentStatus, NotificationKind, TaskStatus
from .models import (
    AwsAccount,
    Domain,
    DomainMembership,
    Environment,
    EnvironmentProfile,
    Notification,
    Project,
    ProjectMembership,
)
from .permissions import is_platform_admin, member_q

_DESIGNATION_RANK = Case(
    *[When(designation=d.value, then=Value(d.rank)) for d in Designation],
    output_field=IntegerField(),
)


def _visible_projects_q(user) -> Q:
    """Q over Project for what `user` may see: membership, or stewardship of the domain."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    is_member = Exists(ProjectMembership.objects.filter(member_q(user), project_id=OuterRef("pk")))
    oversees_domain = Exists(
        DomainMembership.objects.filter(
            member_q(user),
            domain_id=OuterRef("domain_id"),
            role__in=[DomainRole.STEWARD, DomainRole.OWNER],
        )
    )
    return is_member | oversees_domain


def _seen_projects_q(user, platform_wide: bool) -> Q:
    """``_visible_projects_q``, or everything for a platform admin when ``platform_wide``."""
    if platform_wide and is_platform_admin(user):
        return Q()
    return _visible_projects_q(user)


def _seen_as_admin(user) -> ExpressionWrapper:
    """True on a project a platform admin sees only because they are one."""
    return ExpressionWrapper(~_visible_projects_q(user), output_field=BooleanField())


def visible_projects(*, user) -> QuerySet[Project]:
    """Projects the user may see; other apps narrow their querysets with it."""
    return Project.objects.filter(_visible_projects_q(user))


def member_projects(*, user) -> QuerySet[Project]:
    """Projects the user is a member of (directly or through an SSO group)."""
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(
        Exists(ProjectMembership.objects.filter(member_q(user), project_id=OuterRef("pk")))
    )


def _my_designation(user):
    """Subquery: the user's highest designation in the outer project (None if not a member)."""
    if not user.is_authenticated:
        return Value(None, output_field=ProjectMembership._meta.get_field("designation"))
    return Subquery(
        ProjectMembership.objects.filter(member_q(user), project_id=OuterRef("pk"))
        .annotate(rank=_DESIGNATION_RANK)
        .order_by("-rank")
        .values("designation")[:1]
    )


def project_list(*, user, platform_wide: bool = False) -> QuerySet[Project]:
    """Projects the user may see, with the user's designation and counts for list pages.

    ``platform_wide`` adds every project for a platform admin, each marked
    ``seen_as_admin`` when the admin is neither a member nor a steward of its domain.
    """
    projects = (
        Project.objects.filter(_seen_projects_q(user, platform_wide))
        .select_related("domain")
        .annotate(
            my_designation=_my_designation(user),
            member_count=Count("memberships", distinct=True),
            environment_count=Count(
                "environments",
                filter=~Q(environments__status=EnvironmentStatus.DELETED),
                distinct=True,
            ),
        )
        .order_by("name", "domain__name")
    )
    if platform_wide and is_platform_admin(user):
        projects = projects.annotate(seen_as_admin=_seen_as_admin(user))
    return projects


def project_get(*, user, pk, platform_wide: bool = False) -> Project:
    """The project, or 404 when it does not exist or the user may not see it."""
    projects = Project.objects.filter(_seen_projects_q(user, platform_wide))
    if platform_wide and is_platform_admin(user):
        projects = projects.annotate(seen_as_admin=_seen_as_admin(user))
    return get_object_or_404(
        projects.select_related("domain", "created_by").annotate(
            my_designation=_my_designation(user)
        ),
        pk=pk,
    )


def membership_list(*, project) -> QuerySet[ProjectMembership]:
    return (
        project.memberships.select_related("user")
        .annotate(rank=_DESIGNATION_RANK)
        .order_by("-rank", "group", "user__username")
    )


def membership_get(*, project, pk) -> ProjectMembership:
    return get_object_or_404(project.memberships.select_related("user", "project"), pk=pk)


def environment_list(
    *, user, include_deleted: bool = False, platform_wide: bool = False
) -> QuerySet[Environment]:
    """Environments of the projects the user sees; DELETED ones only when asked (lists
    leave them out, but the page and API of one still say what became of it)."""
    environments = Environment.objects.filter(
        project__in=Project.objects.filter(_seen_projects_q(user, platform_wide))
    )
    if not include_deleted:
        environments = environments.exclude(status=EnvironmentStatus.DELETED)
    return environments.select_related(
        "project", "project__domain", "profile", "profile__aws_account"
    ).order_by("project__name", "name")


def environment_get(*, user, pk, platform_wide: bool = False) -> Environment:
    return get_object_or_404(
        environment_list(
            user=user, include_deleted=True, platform_wide=platform_wide
        ).select_related("created_by"),
        pk=pk,
    )


def domain_list(*, user) -> QuerySet[Domain]:
    return Domain.objects.annotate(project_count=Count("projects")).order_by("name")


def domain_page_list(*, user) -> QuerySet[Domain]:
    """Domains for the Domains page, each with ``visible_project_count``: the projects the
    user finds behind the count's link (the Projects page filtered by the domain), and
    ``user_owns`` (the page links an OWNER to the domain's webhooks)."""
    seen = Project.objects.filter(_seen_projects_q(user, platform_wide=True))
    owns = Exists(
        DomainMembership.objects.filter(
            member_q(user), domain_id=OuterRef("pk"), role=DomainRole.OWNER
        )
    )
    return domain_list(user=user).annotate(
        visible_project_count=_count_of(seen, "domain"), user_owns=owns
    )


def domain_get(*, user, pk) -> Domain:
    return get_object_or_404(domain_list(user=user), pk=pk)


def aws_account_list(*, user) -> QuerySet[AwsAccount]:
    return AwsAccount.objects.select_related("domain").order_by("domain__name", "account_id")


def environment_profile_list(*, user, domain=None) -> QuerySet[EnvironmentProfile]:
    profiles = EnvironmentProfile.objects.select_related("domain", "aws_account").order_by(
        "domain__name", "name"
    )
    if domain is not None:
        profiles = profiles.filter(domain=domain)
    return profiles


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at")


def notification_get(*, user, pk) -> Notification:
    return get_object_or_404(notification_list(user=user), pk=pk)


def open_task_list(*, user) -> QuerySet[Notification]:
    return notification_list(user=user).filter(
        kind=NotificationKind.TASK, task_status=TaskStatus.ACTIVE
    )


def unread_notification_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def domain_member_list(*, domain) -> QuerySet[DomainMembership]:
    """Every signed-in user sees who owns and stewards a domain (whom to ask)."""
    return domain.memberships.select_related("user").order_by("role", "group", "user__username")


def domain_member_get(*, domain, pk) -> DomainMembership:
    return get_object_or_404(domain_member_list(domain=domain), pk=pk)


# --- Platform setup (platform admins' pages) ----------------------------------------------


def _count_of(queryset, field: str) -> Subquery:
    """Subquery: how many rows of ``queryset`` point at the outer row by ``field``.

    One subquery per count instead of joins: joining projects, accounts, profiles and
    members at once would multiply the rows before counting them.
    """
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def platform_domain_list(*, user) -> QuerySet[Domain]:
    """Every domain with what it counts (platform admins' overview): projects, AWS
    accounts, environment profiles, members."""
    return Domain.objects.annotate(
        project_count=_count_of(Project.objects.all(), "domain"),
        account_count=_count_of(AwsAccount.objects.all(), "domain"),
        profile_count=_count_of(EnvironmentProfile.objects.all(), "domain"),
        member_count=_count_of(DomainMembership.objects.all(), "domain"),
    ).order_by("name")


def platform_domain_get(*, user, pk) -> Domain:
    return get_object_or_404(platform_domain_list(user=user), pk=pk)


def platform_account_list(*, domain) -> QuerySet[AwsAccount]:
    """A domain's accounts, each with the names of the profiles that use it."""
    return (
        domain.aws_accounts.annotate(
            profile_count=_count_of(EnvironmentProfile.objects.all(), "aws_account")
        )
        .select_related("domain")
        .order_by("account_id")
    )


def platform_profile_list(*, domain) -> QuerySet[EnvironmentProfile]:
    """A domain's profiles, each with how many projects have environments (not DELETED)
    made from it (what ``/projects/?profile=`` lists)."""
    in_use = (
        Environment.objects.exclude(status=EnvironmentStatus.DELETED)
        .filter(profile=OuterRef("pk"))
        .order_by()
        .values("profile")
        .annotate(n=Count("project", distinct=True))
        .values("n")[:1]
    )
    return (
        domain.environment_profiles.annotate(
            project_count=Coalesce(Subquery(in_use, output_field=IntegerField()), 0)
        )
        .select_related("domain", "aws_account")
        .order_by("name")
    )


def platform_account_get(*, user, pk) -> AwsAccount:
    return get_object_or_404(AwsAccount.objects.select_related("domain"), pk=pk)


def platform_profile_get(*, user, pk) -> EnvironmentProfile:
    return get_object_or_404(
        EnvironmentProfile.objects.select_related("domain", "aws_account"), pk=pk
    )
