"""The API root: each app contributes its routes to one router under /api/v1/."""

from django.urls import include, path

from accounts.api.urls import router as accounts_router
from catalog.api.urls import router as catalog_router
from catalog.api.urls import urlpatterns as catalog_urlpatterns
from glossary.api.urls import router as glossary_router
from glossary.api.urls import urlpatterns as glossary_urlpatterns
from projects.api.urls import router as projects_router
from projects.api.urls import urlpatterns as projects_urlpatterns
from sharing.api.urls import router as sharing_router
from sharing.api.urls import urlpatterns as sharing_urlpatterns
from subscriptions.api.urls import router as subscriptions_router
from webhooks.api.urls import router as webhooks_router
from webhooks.api.urls import urlpatterns as webhooks_urlpatterns

from .authentication import TokenObtainView
from .routers import PortalRouter

router = PortalRouter()
router.extend(projects_router)
router.extend(glossary_router)
router.extend(catalog_router)
router.extend(subscriptions_router)
router.extend(sharing_router)
router.extend(accounts_router)
router.extend(webhooks_router)

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    *projects_urlpatterns,
    *glossary_urlpatterns,
    *catalog_urlpatterns,
    *sharing_urlpatterns,
    *webhooks_urlpatterns,
    path("", include(router.urls)),
]
