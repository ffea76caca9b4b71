"""Writes of domain memberships: who owns and who stewards a domain.

Stewards and owners decide any subscription request in their domain and oversee its
projects, so naming them is a platform admin's or a domain owner's job.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from ..choices import DomainRole, NotificationKind
from ..models import Domain, DomainMembership
from ..permissions import require_domain_manager
from .notifications import notification_create

User = get_user_model()


def _check_role(role) -> None:
    if role not in DomainRole.values:
        raise ValidationError({"role": f"Choose one of {', '.join(DomainRole.values)}."})


@transaction.atomic
def domain_member_add(
    *, acting_user, domain: Domain, role: str, username: str = "", group: str = ""
) -> DomainMembership:
    """Make a user (by username) or an SSO group an OWNER or STEWARD of the domain."""
    require_domain_manager(acting_user, domain, "add domain members")
    _check_role(role)
    username = (username or "").strip()
    group = (group or "").strip()
    if bool(username) == bool(group):
        raise ValidationError({"user": "Name either a user or an SSO group, not both or neither."})
    if len(group) > 150:
        raise ValidationError({"group": "An SSO group name has at most 150 characters."})
    user = None
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError(
                {"user": f"No user named '{username}'. People appear after their first sign-in."}
            )
        if domain.memberships.filter(user=user).exists():
            raise ValidationError(
                {"user": f"{username} is already a member of domain {domain.name}."}
            )
    if group and domain.memberships.filter(group=group).exists():
        raise ValidationError({"group": f"Group '{group}' is already a member of this domain."})
    membership = DomainMembership.objects.create(domain=domain, user=user, group=group, role=role)
    if user is not None and user != acting_user:
        notification_create(
            recipient=user,
            kind=NotificationKind.EVENT,
            topic="DOMAIN_MEMBER_ADDED",
            title=f"You are now {DomainRole(role).label.lower()} of domain {domain.name}",
            body=f"{acting_user.get_username()} made you {DomainRole(role).label.lower()} of "
            f"domain {domain.name}.",
            link=f"/domains/{domain.pk}/members/",
        )
    return membership


@transaction.atomic
def domain_member_update(*, acting_user, membership: DomainMembership, role: str):
    require_domain_manager(acting_user, membership.domain, "change domain members")
    _check_role(role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def domain_member_remove(*, acting_user, membership: DomainMembership) -> None:
    require_domain_manager(acting_user, membership.domain, "remove domain members")
    membership.delete()
