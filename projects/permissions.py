"""Who may do what in a project or domain.

Visibility is handled by selectors (an object you may not see is a 404). These helpers
answer the second question — may this visible object be changed by this user — and
raise PermissionDenied (403) when not.

Each rule has one ``require_…`` here, and its refusal is worded once, in it; every app
(glossary, catalog, subscriptions, sharing) raises through these, so the same rule reads
the same everywhere ("Only a project owner can …").
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .choices import Designation, DomainRole


def users_named_by(*memberships):
    """Active users that the membership querysets name, directly (``user``) or through
    an SSO group (``group``), in one query whatever the number of memberships: every
    grant, decision and disabled webhook tells these people, so this must not cost a
    query per source."""
    user_model = get_user_model()
    in_groups = user_model.groups.through.objects.values("user_id")
    condition = Q()
    for rows in memberships:
        condition |= Q(pk__in=rows.exclude(user=None).values("user_id"))
        condition |= Q(
            pk__in=in_groups.filter(group__name__in=rows.filter(user=None).values("group"))
        )
    return user_model.objects.filter(condition, is_active=True).order_by("username")


def user_group_names(user) -> list[str]:
    """The SSO groups of a user (synced from the `groups` claim at every login).

    Cached on the user object for the request, since every selector asks.
    """
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_meshportal_group_names", None)
    if cached is None:
        cached = list(user.groups.values_list("name", flat=True))
        user._meshportal_group_names = cached
    return cached


def member_q(user, prefix: str = "") -> Q:
    """Memberships that name the user directly or one of the user's SSO groups."""
    condition = Q(**{f"{prefix}user": user})
    groups = user_group_names(user)
    if groups:
        condition |= Q(**{f"{prefix}group__in": groups})
    return condition


def project_designation(user, project) -> Designation | None:
    """The user's highest designation in the project, directly or through a group."""
    if not user.is_authenticated:
        return None
    designations = project.memberships.filter(member_q(user)).values_list("designation", flat=True)
    ranked = sorted((Designation(d) for d in designations), key=lambda d: d.rank, reverse=True)
    return ranked[0] if ranked else None


def domain_roles(user, domain) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(domain.memberships.filter(member_q(user)).values_list("role", flat=True))


def is_domain_steward(user, domain) -> bool:
    """Stewards and owners of a domain oversee all of its projects' inventory."""
    return bool(domain_roles(user, domain) & {DomainRole.STEWARD, DomainRole.OWNER})


def require_designation(user, project, minimum: Designation, action: str) -> Designation:
    """Return the user's designation or raise PermissionDenied explaining what is needed."""
    designation = project_designation(user, project)
    if designation is None or designation.rank < minimum.rank:
        raise PermissionDenied(
            f"Only a project {minimum.label.lower()}"
            f"{'' if minimum == Designation.OWNER else ' or owner'} can {action}."
        )
    return designation


def is_project_owner_or_steward(user, project, domain) -> bool:
    """OWNERs of the project and STEWARDs/OWNERs of its domain: they manage what the
    project owns in the domain's vocabulary (glossaries, metadata forms) and decide
    subscription requests for its listings."""
    if not user.is_authenticated:
        return False
    if project_designation(user, project) == Designation.OWNER:
        return True
    return is_domain_steward(user, domain)


def require_project_owner_or_steward(user, project, domain, action: str) -> None:
    if not is_project_owner_or_steward(user, project, domain):
        raise PermissionDenied(
            f"Only an owner of project {project.name} or a steward of domain {domain.name} "
            f"can {action}."
        )


def require_some_owned_project(projects, action: str) -> None:
    """Creating something a project owns (a glossary, a form) needs a project the user
    owns, or a domain the user stewards (``projects``: those the user may pick)."""
    if not projects.exists():
        raise PermissionDenied(f"Only a project owner or a domain steward can {action}.")


def require_domain_steward(user, domain, action: str) -> None:
    if not is_domain_steward(user, domain):
        raise PermissionDenied(f"Only a steward of domain {domain.name} can {action}.")


def require_owner_or_platform_admin(user, projects, action: str) -> None:
    """An owner of one of ``projects``, or a platform admin (who looks after every
    account's access without being a member)."""
    if user.is_authenticated and user.is_staff:
        return
    if any(project_designation(user, project) == Designation.OWNER for project in projects):
        return
    names = " or of project ".join(project.name for project in projects)
    raise PermissionDenied(f"Only an owner of project {names}, or a platform admin, can {action}.")


def is_platform_admin(user) -> bool:
    """Platform admins are staff users: they set up domains, accounts and profiles."""
    return bool(user.is_authenticated and user.is_staff)


def require_platform_admin(user, action: str) -> None:
    if not is_platform_admin(user):
        raise PermissionDenied(f"Only a platform admin can {action}.")


def can_manage_domain_members(user, domain) -> bool:
    """Platform admins and the domain's OWNERs manage its members."""
    if not user.is_authenticated:
        return False
    return user.is_staff or DomainRole.OWNER in domain_roles(user, domain)


def require_domain_manager(user, domain, action: str) -> None:
    if not can_manage_domain_members(user, domain):
        raise PermissionDenied(
            f"Only a platform admin or an owner of domain {domain.name} can {action}."
        )
