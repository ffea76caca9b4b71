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
from .members import MemberSteps


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


DOMAIN_MEMBERS = MemberSteps(
    scope="domain",
    role="role",
    add_form=DomainMemberAddForm,
    update_form=DomainMemberRoleForm,
    add_service=services.domain_member_add,
    update_service=services.domain_member_update,
    remove_service=services.domain_member_remove,
    invalid_role="Choose a role: owner or steward.",
    added=lambda m: f"{m.member_name} is now {_role_label(m)}.",
    changed=lambda m: "Role changed.",
    removed=lambda m: "Member removed.",
)


@require_POST
def domain_member_add(request, pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    return DOMAIN_MEMBERS.add(request, domain, back=_members_url(domain))


@require_POST
def domain_member_update(request, pk, member_pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    membership = selectors.domain_member_get(domain=domain, pk=member_pk)
    return DOMAIN_MEMBERS.update(request, membership, back=_members_url(domain))


@require_POST
def domain_member_remove(request, pk, member_pk):
    domain = selectors.domain_get(user=request.user, pk=pk)
    membership = selectors.domain_member_get(domain=domain, pk=member_pk)
    back = _members_url(domain)
    return DOMAIN_MEMBERS.remove(request, membership, back=back) or redirect(back)
