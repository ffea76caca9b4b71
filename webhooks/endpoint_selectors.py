"""Reads of webhook endpoints and deliveries, narrowed to what the user manages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

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
