"""Reads of the projects app, already narrowed to what the user may see.

A project is visible to its members (directly or through an SSO group) and to the
stewards and owners of its domain. Environments follow their project. Domains,
accounts and profiles are visible to every signed-in user: people need them to create
projects and environments.
"""

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
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
from .permissions import member_q

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


def project_list(*, user) -> QuerySet[Project]:
    """Projects the user may see, with the user's designation and counts for list pages."""
    return (
        Project.objects.filter(_visible_projects_q(user))
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


def project_get(*, user, pk) -> Project:
    """The project, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(
        Project.objects.filter(_visible_projects_q(user))
        .select_related("domain", "created_by")
        .annotate(my_designation=_my_designation(user)),
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


def environment_list(*, user, include_deleted: bool = False) -> QuerySet[Environment]:
    """Environments of the projects the user sees; DELETED ones only when asked (lists
    leave them out, but the page and API of one still say what became of it)."""
    visible_projects = Project.objects.filter(_visible_projects_q(user))
    environments = Environment.objects.filter(project__in=visible_projects)
    if not include_deleted:
        environments = environments.exclude(status=EnvironmentStatus.DELETED)
    return environments.select_related(
        "project", "project__domain", "profile", "profile__aws_account"
    ).order_by("project__name", "name")


def environment_get(*, user, pk) -> Environment:
    return get_object_or_404(
        environment_list(user=user, include_deleted=True).select_related("created_by"), pk=pk
    )


def domain_list(*, user) -> QuerySet[Domain]:
    return Domain.objects.annotate(project_count=Count("projects")).order_by("name")


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
