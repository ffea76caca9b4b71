"""The answer for /api/ paths that name nothing: JSON, like the rest of the API.

Why: without it an unknown /api/… path fell through to the pages' 404 (HTML, or Django's
debug page with DEBUG on), which API clients cannot read. A path that only lacks its
trailing slash is still redirected to it, as APPEND_SLASH did before this catch-all.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def api_not_found(request, *args, **kwargs):
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"detail": "Not found."}, status=404)
