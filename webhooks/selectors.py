"""Reads of the webhooks app, already narrowed to what the user may see."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Q, QuerySet

from meshportal.models import Event
from projects.choices import DomainRole
from projects.models import DomainMembership
from projects.permissions import member_q
from projects.selectors import member_projects


def owned_domain_ids(user) -> QuerySet:
    """Ids of the domains the user is an OWNER of (directly or through an SSO group)."""
    return DomainMembership.objects.filter(member_q(user), role=DomainRole.OWNER).values(
        "domain_id"
    )


def governed_domain_ids(user) -> QuerySet:
    """Ids of the domains the user is an OWNER or a STEWARD of (directly or through an
    SSO group): stewards govern the domain's data, so they read its events as owners
    do (webhooks and EventBridge targets stay the owners')."""
    return DomainMembership.objects.filter(
        member_q(user), role__in=[DomainRole.OWNER, DomainRole.STEWARD]
    ).values("domain_id")


def events_visible_to(user) -> QuerySet[Event]:
    """The outbox as ``user`` may read it: events of the projects they are a member of
    (directly or through an SSO group) and of the domains they own or steward; platform
    admins read everything.

    One query whatever the number of memberships: the user's projects are an array
    subquery matched against the event's ``project_ids`` (GIN-indexed) with ``&&``.
    """
    if not user.is_authenticated:
        return Event.objects.none()
    if user.is_staff:
        return Event.objects.all()
    my_projects = ArraySubquery(member_projects(user=user).values("pk"))
    return Event.objects.filter(
        Q(project_ids__overlap=my_projects) | Q(domain_id__in=governed_domain_ids(user))
    )
