from meshportal.api.routers import PortalRouter

from . import views

router = PortalRouter()
router.register("auth/tokens", views.ApiTokenViewSet, basename="api-token-personal")
