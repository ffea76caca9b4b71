"""Reads of webhook endpoints and deliveries, narrowed to what the user manages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from meshportal.models import Event

from .choices import OPEN_STATUSES, DeliveryStatus
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .permissions import managed_endpoints_q


def endpoint_list(*, user) -> QuerySet[WebhookEndpoint]:
    return (
        WebhookEndpoint.objects.filter(managed_endpoints_q(user))
        .select_related("project", "domain")
        .order_by("created_at")
    )


def endpoint_get(*, user, pk) -> WebhookEndpoint:
    return get_object_or_404(endpoint_list(user=user), pk=pk)


def delivery_list(*, user, endpoint=None) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(
        endpoint__in=WebhookEndpoint.objects.filter(managed_endpoints_q(user))
    )
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    return deliveries.select_related("event").order_by("-created_at")


def delivery_get(*, user, pk) -> WebhookDelivery:
    return get_object_or_404(delivery_list(user=user).select_related("endpoint"), pk=pk)


def attempt_list(*, delivery) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery=delivery).order_by("number")


WAITING_COUNT_MAX = 10_000


def events_waiting(endpoint) -> int:
    """How many events the endpoint still has to receive (counted up to
    WAITING_COUNT_MAX): its open deliveries, and the events after its cursor it
    subscribed to that were not fanned out yet (the portal disabled it, or the fan-out is
    about to run). When the portal disabled it, the delivery it stopped at counts too
    (enabling it sends that again). Its owner disabling it skips the events of the
    disabled period, so those do not count then.
    """
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    waiting = deliveries.filter(status__in=OPEN_STATUSES)[:WAITING_COUNT_MAX].count()
    if not endpoint.enabled and endpoint.disabled_at is None:
        return waiting
    if endpoint.disabled_at is not None:
        waiting += deliveries.filter(
            status=DeliveryStatus.FAILED, updated_at=endpoint.disabled_at
        ).count()
    events = Event.objects.filter(position__gt=endpoint.cursor, type__in=endpoint.event_types)
    if endpoint.project_id:
        events = events.filter(project_ids__contains=[endpoint.project_id])
    else:
        events = events.filter(domain_id=endpoint.domain_id)
    waiting += events[: max(WAITING_COUNT_MAX - waiting, 0)].count()
    return min(waiting, WAITING_COUNT_MAX)
