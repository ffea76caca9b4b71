"""Pages of webhooks: a project's (or domain's) endpoints with the create form, and one
endpoint's delivery log with "send a test event" and "redeliver" (htmx, no script).

A new secret is rendered in the answer to the POST that made it (create, rotate) and
nowhere else: it is never put in the session, a message or a URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from meshportal.exceptions import Conflict
from meshportal.forms import attach_service_errors, service_error_text
from meshportal.htmx import is_htmx_partial
from projects import selectors as project_selectors

from . import endpoint_selectors as selectors
from . import endpoint_services as services
from .forms import EndpointForm
from .permissions import require_webhook_manager

LOG_ROWS = 50


def _owner_page(request, *, project=None, domain=None):
    require_webhook_manager(request.user, project=project, domain=domain)
    form = EndpointForm(request.POST or None, initial={"enabled": True})
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.endpoint_create(
                acting_user=request.user, project=project, domain=domain, **form.service_kwargs()
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            form = EndpointForm(initial={"enabled": True})
    endpoints = selectors.endpoint_list(user=request.user).filter(
        **({"project": project} if project else {"domain": domain})
    )
    return render(
        request,
        "webhooks/endpoint_list.html",
        {
            "project": project,
            "domain": domain,
            "owner": project or domain,
            "endpoints": endpoints,
            "form": form,
            "created": created,
            "secret": secret,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_webhooks(request, pk):
    project = project_selectors.project_get(user=request.user, pk=pk)
    return _owner_page(request, project=project)


@login_required
@require_http_methods(["GET", "POST"])
def domain_webhooks(request, pk):
    domain = project_selectors.domain_get(user=request.user, pk=pk)
    return _owner_page(request, domain=domain)


def _log_context(request, endpoint, **extra):
    deliveries = list(selectors.delivery_list(user=request.user, endpoint=endpoint)[:LOG_ROWS])
    return {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "waiting": selectors.events_waiting(endpoint),
        "waiting_max": selectors.WAITING_COUNT_MAX,
        **extra,
    }


def _log(request, endpoint, *, status=200, **extra):
    template = (
        "webhooks/_delivery_log.html"
        if is_htmx_partial(request)
        else "webhooks/endpoint_detail.html"
    )
    return render(request, template, _log_context(request, endpoint, **extra), status=status)


@login_required
def endpoint_detail(request, pk):
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    return _log(request, endpoint)


def _log_action(request, endpoint, service, done: str, /, **objects):
    """A button of the delivery log: ``service(acting_user=request.user, **objects)``,
    then the log again with ``done``, or with the Conflict's reason (409) when the state
    moved on."""
    try:
        service(acting_user=request.user, **objects)
    except Conflict as error:
        return _log(request, endpoint, notice=error.message, status=409)
    return _log(request, endpoint, notice=done)


@login_required
@require_POST
def endpoint_test(request, pk):
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    done = "Test event sent."
    return _log_action(request, endpoint, services.endpoint_send_test, done, endpoint=endpoint)


@login_required
@require_POST
def delivery_redeliver(request, pk):
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    done = "Delivery queued again."
    return _log_action(
        request, delivery.endpoint, services.delivery_redeliver, done, delivery=delivery
    )


@login_required
@require_POST
def endpoint_rotate(request, pk):
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    endpoint, secret = services.endpoint_rotate_secret(acting_user=request.user, endpoint=endpoint)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        _log_context(request, endpoint, secret=secret),
    )


@login_required
@require_POST
def endpoint_toggle(request, pk):
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    enabled = request.POST.get("enabled") == "true"
    try:
        services.endpoint_update(acting_user=request.user, endpoint=endpoint, enabled=enabled)
    except ValidationError as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, "Endpoint enabled." if enabled else "Endpoint disabled.")
    return redirect("webhook-endpoint", pk=endpoint.pk)


@login_required
@require_POST
def endpoint_delete(request, pk):
    endpoint = selectors.endpoint_get(user=request.user, pk=pk)
    services.endpoint_delete(acting_user=request.user, endpoint=endpoint)
    messages.success(request, "Endpoint deleted.")
    if endpoint.project_id:
        return redirect("project-webhooks", pk=endpoint.project_id)
    return redirect("domain-webhooks", pk=endpoint.domain_id)
