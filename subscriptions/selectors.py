"""Reads of the subscriptions app, already narrowed to what the user may see.

A request or subscription is visible to the people of both sides: members of the
subscriber project and of the listing's project, and the stewards and owners of their
domains (``visible_projects`` already says who sees a project). Anything else is a 404.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from projects.choices import Designation, DomainRole
from projects.models import DomainMembership, ProjectMembership
from projects.permissions import member_q
from projects.selectors import member_projects, visible_projects

from .choices import SubscriptionRequestStatus, SubscriptionStatus
from .models import Subscription, SubscriptionEvent, SubscriptionRequest

_RELATED = ("listing", "listing__project", "listing__domain", "project", "project__domain")


def _visible_q(user) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    projects = visible_projects(user=user)
    return Q(project__in=projects) | Q(listing__project__in=projects)


def _decides_q(user, prefix: str = "") -> Q:
    """Q over requests/subscriptions whose listing the user decides on (or revokes)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    owns_project = Exists(
        ProjectMembership.objects.filter(
            member_q(user),
            project_id=OuterRef(f"{prefix}listing__project_id"),
            designation=Designation.OWNER,
        )
    )
    oversees_domain = Exists(
        DomainMembership.objects.filter(
            member_q(user),
            domain_id=OuterRef(f"{prefix}listing__domain_id"),
            role__in=[DomainRole.STEWARD, DomainRole.OWNER],
        )
    )
    return Q(owns_project) | Q(oversees_domain)


def requests_in_direction(requests, *, user, direction: str):
    """``incoming``: requests the user may decide; ``outgoing``: those of the user's own
    projects (the FilterSet's ``direction`` uses it too)."""
    if direction == "incoming":
        return requests.filter(_decides_q(user))
    if direction == "outgoing":
        return requests.filter(project__in=member_projects(user=user))
    return requests


def request_list(*, user, direction: str = "") -> QuerySet[SubscriptionRequest]:
    """Requests the user may see, newest first, optionally in one direction."""
    requests = SubscriptionRequest.objects.filter(_visible_q(user))
    requests = requests_in_direction(requests, user=user, direction=direction)
    return requests.select_related(*_RELATED, "requester", "reviewer", "subscription").order_by(
        "-created_at"
    )


def request_get(*, user, pk) -> SubscriptionRequest:
    return get_object_or_404(request_list(user=user), pk=pk)


def subscriptions_in_direction(subscriptions, *, user, direction: str):
    """``consumed``: subscriptions of the user's projects; ``provided``: those to listings
    of the user's projects."""
    if direction == "consumed":
        return subscriptions.filter(project__in=member_projects(user=user))
    if direction == "provided":
        return subscriptions.filter(listing__project__in=member_projects(user=user))
    return subscriptions


def subscription_list(*, user, direction: str = "") -> QuerySet[Subscription]:
    """Subscriptions the user may see, newest first, optionally in one direction."""
    subscriptions = Subscription.objects.filter(_visible_q(user))
    subscriptions = subscriptions_in_direction(subscriptions, user=user, direction=direction)
    return subscriptions.select_related(
        *_RELATED, "request", "request__requester", "ended_by"
    ).order_by("-created_at")


def subscription_get(*, user, pk) -> Subscription:
    return get_object_or_404(subscription_list(user=user), pk=pk)


def request_timeline(*, request) -> QuerySet[SubscriptionEvent]:
    """The request's lines and, once accepted, its subscription's (they share the request)."""
    return (
        SubscriptionEvent.objects.filter(request=request)
        .select_related("actor")
        .order_by("created_at")
    )


def subscription_timeline(*, subscription) -> QuerySet[SubscriptionEvent]:
    return (
        SubscriptionEvent.objects.filter(
            Q(subscription=subscription) | Q(request_id=subscription.request_id)
        )
        .select_related("actor")
        .order_by("created_at")
    )


def subscription_counts(*, user) -> dict:
    """The numbers of the navigation's Subscriptions section, in two queries: requests
    waiting for my decision, my projects' pending requests, what my projects consume and
    who consumes my projects' listings."""
    if not user.is_authenticated:
        return {}
    mine = member_projects(user=user)
    pending = Q(status=SubscriptionRequestStatus.PENDING)
    counts = SubscriptionRequest.objects.filter(_visible_q(user), pending).aggregate(
        to_decide=Count("pk", filter=Q(_decides_q(user))),
        our_requests=Count("pk", filter=Q(project__in=mine)),
    )
    counts.update(
        Subscription.objects.filter(_visible_q(user), status=SubscriptionStatus.APPROVED).aggregate(
            consumed=Count("pk", filter=Q(project__in=mine)),
            provided=Count("pk", filter=Q(listing__project__in=mine)),
        )
    )
    return counts


def listing_states(*, user, listings) -> dict:
    """For each listing id, the newest PENDING request or APPROVED subscription of each of
    the user's projects: {listing_id: [request or subscription, ...]} (two queries)."""
    ids = [listing.pk for listing in listings]
    if not ids or not user.is_authenticated:
        return {}
    mine = member_projects(user=user)
    states: dict = {}
    for subscription in Subscription.objects.filter(
        listing_id__in=ids, project__in=mine, status=SubscriptionStatus.APPROVED
    ).select_related("project"):
        states.setdefault(subscription.listing_id, []).append(subscription)
    for request in SubscriptionRequest.objects.filter(
        listing_id__in=ids, project__in=mine, status=SubscriptionRequestStatus.PENDING
    ).select_related("project", "requester"):
        states.setdefault(request.listing_id, []).append(request)
    return states


def subscribed_listing_ids(*, user, listing_ids) -> set:
    """Which of these listings a project of the user holds an APPROVED subscription to
    (one query, for marking search results)."""
    if not listing_ids or not user.is_authenticated:
        return set()
    return set(
        Subscription.objects.filter(
            listing_id__in=listing_ids,
            project__in=member_projects(user=user),
            status=SubscriptionStatus.APPROVED,
        ).values_list("listing_id", flat=True)
    )


def requestable_projects(*, user, listing) -> QuerySet:
    """The user's projects that may ask for the listing: those where the user is a
    CONTRIBUTOR or OWNER (directly or by group), other than the listing's own project."""
    from projects.models import Project

    if not user.is_authenticated:
        return Project.objects.none()
    may_request = ProjectMembership.objects.filter(
        member_q(user),
        project_id=OuterRef("pk"),
        designation__in=[Designation.OWNER, Designation.CONTRIBUTOR],
    )
    return (
        Project.objects.filter(Exists(may_request)).exclude(pk=listing.project_id).order_by("name")
    )


PROJECT_SECTION_ROWS = 10


def project_consumption(*, user, project, limit: int = PROJECT_SECTION_ROWS) -> dict:
    """What a project's page shows of the data the project uses: its newest APPROVED
    subscriptions and PENDING requests (at most ``limit`` of each) and how many there are
    of each. Still narrowed to the user (the page decided the project is visible). Four
    queries however many rows: two lists, two counts."""
    pending, approved = SubscriptionRequestStatus.PENDING, SubscriptionStatus.APPROVED
    subscriptions = subscription_list(user=user).filter(project=project, status=approved)
    requests = request_list(user=user).filter(project=project, status=pending)
    return {
        "subscriptions": list(subscriptions[:limit]),
        "requests": list(requests[:limit]),
        "subscription_count": subscriptions.order_by().count(),
        "request_count": requests.order_by().count(),
        "limit": limit,
    }
