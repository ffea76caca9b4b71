from rest_framework.routers import DefaultRouter


class PortalRouter(DefaultRouter):
    """DefaultRouter that can absorb other routers' registrations (one per app)."""

    def extend(self, other):
        self.registry.extend(other.registry)
