"""The domain members page: who owns and stewards a domain, managed in place by
platform admins and the domain's OWNERs (everyone signed in reads it)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from meshportal.forms import service_error_text

from . import selectors, services
from .choices import DomainRole
from .permissions import can_manage_domain_members


class DomainMemberAddForm(forms.Form):
    username = forms.CharField(
        required=False,
        max_length=150,
        label="Username",
        help_text="People appear after their first sign-in.",
    )
    group = forms.CharField(
        required=False, max_length=150, label="or SSO group", help_text="Everyone in this group."
    )
    role = forms.ChoiceField(choices=DomainRole.choices, initial=DomainRole.STEWARD)


class DomainMemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=DomainRole.choices)


def _members_url(domain) -> str:
    return reverse("domain-members", args=[domain.pk])


@require_safe
def domain_member_list(request, pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    return render(
        request,
        "projects/domain_members.html",
        {
            "domain": domain,
            "members": selectors.domain_member_list(domain=domain),
            "can_manage": can_manage_domain_members(request.user, domain),
            "roles": DomainRole.choices,
            "form": DomainMemberAddForm(),
        },
    )


@require_POST
def domain_member_add(request, pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    form = DomainMemberAddForm(request.POST)
    if not form.is_valid():
        problems = [e for errors in form.errors.values() for e in errors]
        messages.error(request, "Member not added: " + " ".join(problems))
        return redirect(_members_url(domain))
    try:
        membership = services.domain_member_add(
            acting_user=request.user,
            domain=domain,
            role=form.cleaned_data["role"],
            username=form.cleaned_data["username"],
            group=form.cleaned_data["group"],
        )
    except ValidationError as error:
        messages.error(request, "Member not added: " + service_error_text(error))
    else:
        who = membership.user.get_username() if membership.user_id else f"group {membership.group}"
        messages.success(request, f"{who} is now {membership.get_role_display().lower()}.")
    return redirect(_members_url(domain))


@require_POST
def domain_member_update(request, pk, member_pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    membership = selectors.domain_member_get(domain=domain, pk=member_pk)
    form = DomainMemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role: owner or steward.")
        return redirect(_members_url(domain))
    services.domain_member_update(
        acting_user=request.user, membership=membership, role=form.cleaned_data["role"]
    )
    messages.success(request, "Role changed.")
    return redirect(_members_url(domain))


@require_POST
def domain_member_remove(request, pk, member_pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    membership = selectors.domain_member_get(domain=domain, pk=member_pk)
    services.domain_member_remove(acting_user=request.user, membership=membership)
    messages.success(request, "Member removed.")
    return redirect(_members_url(domain))
