"""Request middleware of the portal."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from rest_framework.views import APIView


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required middleware, minus the REST API.

    API clients authenticate with a token that only DRF reads, so a redirect to the
    sign-in page would be wrong for them: DRF answers 401/403 JSON itself.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
