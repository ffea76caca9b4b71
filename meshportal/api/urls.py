"""The API root: each app contributes its routes to one router under /api/v1/."""

from django.urls import include, path
from rest_framework.authtoken.views import ObtainAuthToken

from projects.api.urls import router as projects_router
from projects.api.urls import urlpatterns as projects_urlpatterns

from .routers import PortalRouter

router = PortalRouter()
router.extend(projects_router)

urlpatterns = [
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    *projects_urlpatterns,
    path("", include(router.urls)),
]
