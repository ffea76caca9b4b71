"""The domain members page: who owns and stewards a domain, managed in place by
platform admins and the domain's OWNERs (everyone signed in reads it). The steps are
the project members page's (``members``)."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from .. import selectors, services
from ..choices import DomainRole
from ..forms import DomainMemberAddForm, DomainMemberRoleForm
from ..permissions import can_manage_domain_members
from .members import add_member, remove_member, update_member


def _members_url(domain) -> str:
    return reverse("domain-members", args=[domain.pk])


def _role_label(membership) -> str:
    return membership.get_role_display().lower()


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
    return add_member(
        request,
        form=DomainMemberAddForm(request.POST),
        add=lambda data: services.domain_member_add(
            acting_user=request.user,
            domain=domain,
            role=data["role"],
            username=data["username"],
            group=data["group"],
        ),
        added=lambda m: f"{m.member_name} is now {_role_label(m)}.",
        back=_members_url(domain),
    )


@require_POST
def domain_member_update(request, pk, member_pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    membership = selectors.domain_member_get(domain=domain, pk=member_pk)
    return update_member(
        request,
        form=DomainMemberRoleForm(request.POST),
        membership=membership,
        update=lambda data: services.domain_member_update(
            acting_user=request.user, membership=membership, role=data["role"]
        ),
        invalid="Choose a role: owner or steward.",
        changed=lambda m: "Role changed.",
        back=_members_url(domain),
    )


@require_POST
def domain_member_remove(request, pk, member_pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    membership = selectors.domain_member_get(domain=domain, pk=member_pk)
    back = _members_url(domain)
    refused = remove_member(
        request,
        membership=membership,
        remove=lambda: services.domain_member_remove(
            acting_user=request.user, membership=membership
        ),
        removed="Member removed.",
        back=back,
    )
    return refused or redirect(back)
