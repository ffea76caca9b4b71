"""Routes of the sharing API; meshportal/api/urls.py absorbs ``router`` into /api/v1/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register(
    "subscription-grants", views.SubscriptionGrantViewSet, basename="api-subscription-grant"
)
router.register("environment-roles", views.EnvironmentRoleViewSet, basename="api-environment-role")

urlpatterns: list = []
