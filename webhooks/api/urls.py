"""Routes of the webhooks and events API; meshportal/api/urls.py absorbs them."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import webhooks
from .eventbridge import EventBridgeTargetViewSet
from .events import EventFeedView

router = SimpleRouter()
router.register("webhooks", webhooks.WebhookEndpointViewSet, basename="api-webhook")
router.register(
    "webhook-deliveries", webhooks.WebhookDeliveryViewSet, basename="api-webhook-delivery"
)
router.register("event-bridge-targets", EventBridgeTargetViewSet, basename="event-bridge-target")
urlpatterns: list = [
    path("events/", EventFeedView.as_view(), name="event-feed"),
]
