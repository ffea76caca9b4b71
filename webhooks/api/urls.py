"""Routes of the webhooks and events API; meshportal/api/urls.py absorbs them."""

from rest_framework.routers import SimpleRouter

from . import webhooks

router = SimpleRouter()
router.register("webhooks", webhooks.WebhookEndpointViewSet, basename="api-webhook")
router.register(
    "webhook-deliveries", webhooks.WebhookDeliveryViewSet, basename="api-webhook-delivery"
)
urlpatterns: list = []
