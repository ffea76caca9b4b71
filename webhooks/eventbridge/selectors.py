"""Reads of EventBridge targets: platform admins see all, a domain's OWNERs theirs."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ..models import EventBridgeDelivery, EventBridgeTarget
from ..selectors import owned_domain_ids


def event_bridge_target_list(*, user) -> QuerySet[EventBridgeTarget]:
    if not user.is_authenticated:
        return EventBridgeTarget.objects.none()
    targets = EventBridgeTarget.objects.select_related("domain", "aws_account", "created_by")
    if not user.is_staff:
        targets = targets.filter(domain_id__in=owned_domain_ids(user))
    return targets.order_by("domain__name", "event_bus")


def event_bridge_target_get(*, user, pk) -> EventBridgeTarget:
    return get_object_or_404(event_bridge_target_list(user=user), pk=pk)


def event_bridge_delivery_list(*, target) -> QuerySet[EventBridgeDelivery]:
    """A target's deliveries, newest first (the target was already narrowed)."""
    return (
        EventBridgeDelivery.objects.filter(target=target)
        .select_related("event")
        .order_by("-position")
    )
