"""Routes of the subscriptions API; meshportal/api/urls.py absorbs ``router``."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register(
    "subscription-requests", views.SubscriptionRequestViewSet, basename="api-subscription-request"
)
router.register("subscriptions", views.SubscriptionViewSet, basename="api-subscription")

urlpatterns: list = []
