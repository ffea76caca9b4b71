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


class RejectNulMiddleware:
    """A 400 for a NUL character in the URL or its query string.

    PostgreSQL refuses NUL in any text, so a ``%00`` in a filter (a search's ``form.``
    key or value, say) used to fail at the database as a 500. No path or parameter of
    the portal can hold one, so the request is refused before any view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.path:
            message = "NUL characters are not allowed in the address or its parameters."
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": message}, status=400)
            from django.http import HttpResponseBadRequest

            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response that has none.

    Why: should an injection ever get past the Markdown sanitiser or a template, the
    browser still runs no script but the portal's own files (no inline script, no other
    origin). Django 5.2 has no CSP of its own and a header is all it takes.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = self.policy
        return response
