"""Who may request, decide, cancel and revoke.

Visibility is the selectors' job (what a user may not see is a 404); these helpers answer
whether a visible request or subscription may be changed by this user, and raise
PermissionDenied (403) with what would be needed when not.
"""

from django.core.exceptions import PermissionDenied

from projects.choices import Designation, DomainRole
from projects.models import DomainMembership, ProjectMembership
from projects.permissions import (
    is_project_owner_or_steward,
    project_designation,
    require_project_owner_or_steward,
    users_named_by,
)

_OVERSEERS = [DomainRole.STEWARD, DomainRole.OWNER]


def can_request_for(user, project) -> bool:
    """CONTRIBUTORs and OWNERs request subscriptions on behalf of their project."""
    designation = project_designation(user, project)
    return designation is not None and designation.can_edit


def is_approver(user, listing) -> bool:
    """OWNERs of the listing's project and STEWARDs/OWNERs of its domain decide requests
    for it, and revoke its subscriptions."""
    return is_project_owner_or_steward(user, listing.project, listing.domain)


def is_consumer_canceller(user, request) -> bool:
    """The requester and the subscriber project's OWNERs cancel a request or a subscription."""
    if not user.is_authenticated:
        return False
    if request.requester_id == user.pk:
        return True
    designation = project_designation(user, request.project)
    return designation is not None and designation.can_manage_members


def require_approver(user, listing, action: str) -> None:
    require_project_owner_or_steward(user, listing.project, listing.domain, action)


def require_consumer_canceller(user, request, action: str) -> None:
    if not is_consumer_canceller(user, request):
        raise PermissionDenied(
            f"Only the requester or an owner of project {request.project.name} can {action}."
        )


def approver_users(listing):
    """Every person who may decide requests for the listing: users named directly and
    members of the SSO groups named, in the owning project (OWNER) and the domain
    (STEWARD, OWNER)."""
    return users_named_by(
        ProjectMembership.objects.filter(
            project_id=listing.project_id, designation=Designation.OWNER
        ),
        DomainMembership.objects.filter(domain_id=listing.domain_id, role__in=_OVERSEERS),
    )


def project_member_users(project):
    """Every person in a project (directly or through an SSO group), to tell them news."""
    return users_named_by(ProjectMembership.objects.filter(project_id=project.pk))
