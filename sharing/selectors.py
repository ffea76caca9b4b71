"""Reads of the sharing app, already narrowed to what the user may see: a grant is seen
by whoever sees either side's project (members, the domain's stewards and owners)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from projects.selectors import visible_projects

from .models import EnvironmentRole, SubscriptionGrant


def grant_list(*, user) -> QuerySet[SubscriptionGrant]:
    if not user.is_authenticated:
        return SubscriptionGrant.objects.none()
    projects = visible_projects(user=user)
    return (
        SubscriptionGrant.objects.filter(
            Q(subscription__project__in=projects) | Q(subscription__listing__project__in=projects)
        )
        .select_related("subscription__listing", "subscription__project", "environment__profile")
        .order_by("-created_at", "pk")
    )


def grant_get(*, user, pk) -> SubscriptionGrant:
    return get_object_or_404(grant_list(user=user), pk=pk)


def grants_of_subscription(*, subscription) -> QuerySet[SubscriptionGrant]:
    """For the subscription page (whose visibility its own selector decided)."""
    return subscription.grants.select_related("environment__profile").order_by("created_at")


def environment_role_list(*, user) -> QuerySet[EnvironmentRole]:
    if not user.is_authenticated:
        return EnvironmentRole.objects.none()
    return EnvironmentRole.objects.filter(
        environment__project__in=visible_projects(user=user)
    ).select_related("environment")


def environment_role_get(*, user, pk) -> EnvironmentRole:
    return get_object_or_404(environment_role_list(user=user), pk=pk)
