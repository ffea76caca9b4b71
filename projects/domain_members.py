"""Domain memberships: who owns and who stewards a domain (services and reads).

Stewards and owners decide any subscription request in their domain and oversee its
projects, so naming them is a platform admin's or a domain owner's job. Kept apart from
services.py so the domain's people have one small home.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .choices import DomainRole, NotificationKind
from .models import Domain, DomainMembership
from .permissions import domain_roles
from .services import notification_create

User = get_user_model()


def can_manage_domain_members(user, domain) -> bool:
    """Platform admins and the domain's OWNERs manage its members."""
    if not user.is_authenticated:
        return False
    return user.is_staff or DomainRole.OWNER in domain_roles(user, domain)


def _require_manager(user, domain, action: str) -> None:
    if not can_manage_domain_members(user, domain):
        raise PermissionDenied(
            f"Only a platform admin or an owner of domain {domain.name} can {action}."
        )


def domain_member_list(*, domain) -> QuerySet[DomainMembership]:
    """Every signed-in user sees who owns and stewards a domain (whom to ask)."""
    return domain.memberships.select_related("user").order_by("role", "group", "user__username")


def domain_member_get(*, domain, pk) -> DomainMembership:
    return get_object_or_404(domain_member_list(domain=domain), pk=pk)


def _check_role(role) -> None:
    if role not in DomainRole.values:
        raise ValidationError({"role": f"Choose one of {', '.join(DomainRole.values)}."})


@transaction.atomic
def domain_member_add(
    *, acting_user, domain: Domain, role: str, username: str = "", group: str = ""
) -> DomainMembership:
    """Make a user (by username) or an SSO group an OWNER or STEWARD of the domain."""
    _require_manager(acting_user, domain, "add domain members")
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
    _require_manager(acting_user, membership.domain, "change domain members")
    _check_role(role)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def domain_member_remove(*, acting_user, membership: DomainMembership) -> None:
    _require_manager(acting_user, membership.domain, "remove domain members")
    membership.delete()
