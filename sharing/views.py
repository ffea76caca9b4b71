"""Pages' actions on grants (the Access section of the subscription page) and on an
environment's extra IAM roles (the Roles section of the environment page): thin POST
views that call the services and return to the page they came from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from meshportal.forms import service_action, service_error_text
from projects import selectors as project_selectors

from . import selectors, services


def _back(grant) -> str:
    return f"{reverse('subscription-detail', args=[grant.subscription_id])}#grant-{grant.pk}"


@login_required
@require_POST
def grant_retry(request, pk):
    grant = selectors.grant_get(user=request.user, pk=pk)
    return service_action(
        request, services.grant_retry, "Retry requested.", _back(grant), grant=grant
    )


@login_required
@require_POST
def grant_status(request, pk):
    grant = selectors.grant_get(user=request.user, pk=pk)
    return service_action(
        request,
        services.grant_status_set,
        "Grant updated.",
        _back(grant),
        grant=grant,
        status=request.POST.get("status", ""),
        message=request.POST.get("message", ""),
    )


def _back_to_roles(environment):
    return redirect(reverse("environment-detail", args=[environment.pk]) + "#roles")


@login_required
@require_POST
def environment_role_add(request, pk):
    """Add an extra role; a bad ARN (or one too many) comes back as a message that says
    what to enter, a non-owner gets 403, an environment the user cannot see 404."""
    environment = project_selectors.environment_get(user=request.user, pk=pk)
    role_arn = request.POST.get("role_arn", "")
    try:
        role = services.environment_role_add(
            acting_user=request.user, environment=environment, role_arn=role_arn[:4096]
        )
    except ValidationError as error:
        messages.error(request, f"The role was not added: {service_error_text(error)}")
    else:
        messages.success(
            request,
            f"Role {role.role_arn} added: it receives every grant of {environment.name} "
            "within a minute.",
        )
    return _back_to_roles(environment)


@login_required
@require_POST
def environment_role_remove(request, pk):
    role = selectors.environment_role_get(user=request.user, pk=pk)
    environment = role.environment
    services.environment_role_remove(acting_user=request.user, role=role)
    messages.success(
        request,
        f"Role {role.role_arn} removed: what it received through {environment.name}'s "
        "grants is being taken away.",
    )
    return _back_to_roles(environment)
