"""Pages' actions on grants (the Access section of the subscription page): thin POST
views that call the services and return to the subscription."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from meshportal.exceptions import Conflict

from . import selectors, services


def _back(grant):
    return redirect(f"/subscriptions/{grant.subscription_id}/#grant-{grant.pk}")


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(m for ms in error.message_dict.values() for m in ms)
    return " ".join(error.messages)


@login_required
@require_POST
def grant_retry(request, pk):
    grant = selectors.grant_get(user=request.user, pk=pk)
    try:
        services.grant_retry(acting_user=request.user, grant=grant)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Retry requested.")
    return _back(grant)


@login_required
@require_POST
def grant_status(request, pk):
    grant = selectors.grant_get(user=request.user, pk=pk)
    try:
        services.grant_status_set(
            acting_user=request.user,
            grant=grant,
            status=request.POST.get("status", ""),
            message=request.POST.get("message", ""),
        )
    except Conflict as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Grant updated.")
    return _back(grant)
