"""The EventBridge targets page: a domain's OWNERs (and platform admins) say where the
domain's events go, see each target's recent deliveries, and enable or disable it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from meshportal.forms import service_error_text
from projects.models import AwsAccount, Domain

from ..selectors import owned_domain_ids
from . import selectors, services
from .services import TARGET_TYPES

DELIVERIES_SHOWN = 50


def _manageable_domains(user):
    if user.is_staff:
        return Domain.objects.order_by("name")
    return Domain.objects.filter(pk__in=owned_domain_ids(user)).order_by("name")


class EventBridgeTargetForm(forms.Form):
    aws_account = forms.ModelChoiceField(
        queryset=AwsAccount.objects.none(), label="AWS account of the domain"
    )
    event_bus = forms.CharField(
        max_length=1600,
        initial="default",
        label="Event bus",
        help_text="Its name in the account or its ARN; 'default' for the default bus.",
    )
    event_types = forms.MultipleChoiceField(
        choices=[(value, value) for value in TARGET_TYPES],
        required=False,
        label="Event types",
        help_text="None chosen: every type.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aws_account"].queryset = (
            AwsAccount.objects.filter(domain__in=_manageable_domains(user))
            .select_related("domain")
            .order_by("domain__name", "account_id")
        )
        self.fields["aws_account"].label_from_instance = lambda account: (
            f"{account.domain.name}: {account}"
        )


def _list_url() -> str:
    return reverse("event-bridge-target-list")


@require_safe
def event_bridge_target_list(request):
    form = EventBridgeTargetForm(user=request.user)
    return render(
        request,
        "webhooks/event_bridge_targets.html",
        {
            "targets": selectors.event_bridge_target_list(user=request.user),
            "form": form,
            "can_add": form.fields["aws_account"].queryset.exists(),
        },
    )


@require_POST
def event_bridge_target_add(request):
    form = EventBridgeTargetForm(request.POST, user=request.user)
    if not form.is_valid():
        problems = [e for errors in form.errors.values() for e in errors]
        messages.error(request, "Target not added: " + " ".join(problems))
        return redirect(_list_url())
    account = form.cleaned_data["aws_account"]
    try:
        target = services.event_bridge_target_create(
            acting_user=request.user,
            domain=account.domain,
            aws_account=account,
            event_bus=form.cleaned_data["event_bus"],
            event_types=form.cleaned_data["event_types"],
        )
    except ValidationError as error:
        messages.error(request, "Target not added: " + service_error_text(error))
        return redirect(_list_url())
    messages.success(request, f"Events of {account.domain.name} now go to {target.event_bus}.")
    return redirect(reverse("event-bridge-target-detail", args=[target.pk]))


@require_safe
def event_bridge_target_detail(request, pk):
    target = selectors.event_bridge_target_get(user=request.user, pk=pk)
    deliveries = selectors.event_bridge_delivery_list(target=target)[:DELIVERIES_SHOWN]
    return render(
        request,
        "webhooks/event_bridge_target_detail.html",
        {"target": target, "deliveries": deliveries, "shown": DELIVERIES_SHOWN},
    )


@require_POST
def event_bridge_target_toggle(request, pk):
    target = selectors.event_bridge_target_get(user=request.user, pk=pk)
    enable = request.POST.get("enabled") == "true"
    services.event_bridge_target_update(acting_user=request.user, target=target, enabled=enable)
    messages.success(request, f"{target.event_bus}: {'enabled' if enable else 'disabled'}.")
    return redirect(reverse("event-bridge-target-detail", args=[target.pk]))


@require_POST
def event_bridge_target_delete(request, pk):
    target = selectors.event_bridge_target_get(user=request.user, pk=pk)
    services.event_bridge_target_delete(acting_user=request.user, target=target)
    messages.success(request, f"{target.event_bus} is no longer a target.")
    return redirect(_list_url())
