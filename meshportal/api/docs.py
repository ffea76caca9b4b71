"""The API's documentation page (Swagger UI) as a page for people.

The docs need a signed-in user like the rest of the API, but a person who opens
``/api/docs/`` signed out is sent to the sign-in page and back, not shown DRF's 403.
"""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated, PermissionDenied


class SwaggerDocsView(SpectacularSwaggerSplitView):
    """The split view serves Swagger UI's start-up script as a file (no inline script
    under the Content-Security-Policy)."""

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated | PermissionDenied) and not (
            self.request.user and self.request.user.is_authenticated
        ):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
