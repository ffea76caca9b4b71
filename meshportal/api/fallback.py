"""The answer for /api/ paths that name nothing: JSON, like the rest of the API.

Why: without it an unknown /api/… path fell through to the pages' 404 (HTML, or Django's
debug page with DEBUG on), which API clients cannot read.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def api_not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found."}, status=404)
