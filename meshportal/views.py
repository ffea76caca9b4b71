"""Portal-wide views: health check and error pages."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .forms import markdown_preview_html
from .limits import DESCRIPTION_MAX_CHARS
from .markdown import render_markdown

logger = logging.getLogger(__name__)


def _database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"status": "ok"}
    except Exception as error:  # health checks report, they do not raise
        logger.warning("Health check: database unreachable: %s", error)
        return {"status": "error", "error": str(error).strip()[:300]}


def _broker_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "ok", "mode": "eager (no broker configured; tasks run in-process)"}
    from meshportal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"status": "ok", "mode": "broker"}
    except Exception as error:
        logger.warning("Health check: broker unreachable: %s", error)
        return {"status": "error", "error": str(error).strip()[:300]}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Database and broker state for load balancers: 200 when both answer, else 503."""
    checks = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


MARKDOWN_FIELD_MAX = 100


@never_cache
@require_POST
def markdown_preview(request):
    """A Markdown description rendered as readers will see it (``MarkdownTextarea``'s
    live preview): ``POST ?field=<name>`` with the text under that name. The fragment
    goes through the pages' own sanitiser; text over the description limit is refused
    with a 400 that says so (the preview shows it in place)."""
    field = request.GET.get("field", "")
    if not field or len(field) > MARKDOWN_FIELD_MAX or field not in request.POST:
        return HttpResponse(
            format_html('<p class="muted">{}</p>', "Nothing to preview: no text was sent."),
            status=400,
        )
    text = request.POST[field]
    if len(text) > DESCRIPTION_MAX_CHARS:
        return HttpResponse(
            format_html(
                '<p class="field__errors" role="alert">{}</p>',
                f"Too long to preview: use at most {DESCRIPTION_MAX_CHARS:,} characters "
                f"(this has {len(text):,}).",
            ),
            status=400,
        )
    return HttpResponse(markdown_preview_html(render_markdown(text)))


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def permission_denied(request, exception=None):
    message = (
        str(exception) if exception and str(exception) else "You do not have permission to do this."
    )
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=403)
    from django.shortcuts import render

    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.shortcuts import render

    return render(request, "404.html", status=404)


def server_error(request):
    """The 500 page renders without context processors: the database may be what failed."""
    if _wants_json(request):
        return JsonResponse({"detail": "Internal error; it has been logged."}, status=500)
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
