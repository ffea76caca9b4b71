"""The profile page's API tokens: make one (its key is shown once), revoke one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from meshportal.exceptions import Conflict
from meshportal.forms import attach_service_errors

from . import selectors, services
from .forms import TokenCreateForm


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = services.token_create(
                acting_user=request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            form = TokenCreateForm()
            messages.success(request, f"Token “{token.name}” made. Copy its key now.")
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": selectors.token_list(user=request.user), "new_key": new_key},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def token_revoke(request, pk):
    token = selectors.token_get(user=request.user, pk=pk)
    try:
        services.token_revoke(acting_user=request.user, token=token)
    except Conflict as error:
        messages.info(request, error.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("token-list")
