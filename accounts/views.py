"""The profile page's API tokens: make one (its key is shown once), revoke one."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from meshportal.forms import form_status, handle_form, service_action

from . import selectors, services
from .forms import TokenCreateForm


@require_http_methods(["GET", "POST"])
def token_list(request):
    form = TokenCreateForm(request.POST or None)
    new_key = None

    def save(form):
        return services.token_create(acting_user=request.user, **form.service_kwargs())

    def made(result):
        nonlocal form, new_key
        token, new_key = result
        form = TokenCreateForm()
        messages.success(request, f"Token “{token.name}” made. Copy its key now.")

    handle_form(request, form, save, made)  # made: the page shows the key once, no redirect
    return render(
        request,
        "accounts/token_list.html",
        {"form": form, "tokens": selectors.token_list(user=request.user), "new_key": new_key},
        status=form_status(form),
    )


@require_POST
def token_revoke(request, pk):
    token = selectors.token_get(user=request.user, pk=pk)
    done = f"Token “{token.name}” revoked."
    return service_action(request, services.token_revoke, done, reverse("token-list"), token=token)
