"""Members of a project (its OWNERs manage them) and the steps every members page shares.

The project's members and the domain's (``domain_members``) are managed the same way:
a form checks the input, a service decides, a flash message says what happened, and the
page is shown again. ``MemberSteps`` is those steps, configured once per kind of
membership (its forms, its services, its role field and its wording); a view finds the
project or domain (and checks who may ask), then calls one step.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from meshportal.forms import service_error_text

from .. import selectors, services
from ..choices import Designation
from ..forms import MemberAddForm, MemberUpdateForm
from ..permissions import require_designation


@dataclass(frozen=True)
class MemberSteps:
    """Add, change and remove members of one kind of scope (a project, a domain).

    ``scope`` is the services' keyword for the project or domain, ``role`` the name of
    the role field (form and service alike); ``added``/``changed``/``removed`` say what
    happened, given the membership."""

    scope: str
    role: str
    add_form: type
    update_form: type
    add_service: Callable
    update_service: Callable
    remove_service: Callable
    invalid_role: str
    added: Callable
    changed: Callable
    removed: Callable

    def add(self, request, scope, *, back: str):
        """Validate the form, add the member, flash what happened or why not."""
        form = self.add_form(request.POST)
        if not form.is_valid():
            problems = [e for errors in form.errors.values() for e in errors]
            messages.error(request, "Member not added: " + " ".join(problems))
            return redirect(back)
        data = form.cleaned_data
        try:
            membership = self.add_service(
                acting_user=request.user,
                **{self.scope: scope, self.role: data[self.role]},
                username=data["username"],
                group=data["group"],
            )
        except ValidationError as error:
            messages.error(request, "Member not added: " + service_error_text(error))
        else:
            messages.success(request, self.added(membership))
        return redirect(back)

    def update(self, request, membership, *, back: str):
        """Validate the form (``invalid_role`` when not), change the role, flash."""
        form = self.update_form(request.POST)
        if not form.is_valid():
            messages.error(request, self.invalid_role)
            return redirect(back)
        try:
            membership = self.update_service(
                acting_user=request.user,
                membership=membership,
                **{self.role: form.cleaned_data[self.role]},
            )
        except ValidationError as error:
            messages.error(
                request, f"{membership.member_name} not changed: {service_error_text(error)}"
            )
        else:
            messages.success(request, self.changed(membership))
        return redirect(back)

    def remove(self, request, membership, *, back: str):
        """Remove the member; flash what happened or why not. Returns None on success so
        the caller decides where to go (removing yourself may close the page you came
        from)."""
        name = membership.member_name
        try:
            self.remove_service(acting_user=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, f"{name} not removed: {service_error_text(error)}")
            return redirect(back)
        messages.success(request, self.removed(membership))
        return None


# --- A project's members ----------------------------------------------------------------


def _designation_label(membership) -> str:
    return Designation(membership.designation).label.lower()


PROJECT_MEMBERS = MemberSteps(
    scope="project",
    role="designation",
    add_form=MemberAddForm,
    update_form=MemberUpdateForm,
    add_service=services.project_member_add,
    update_service=services.project_member_update,
    remove_service=services.project_member_remove,
    invalid_role="Choose a designation: owner, contributor or viewer.",
    added=lambda m: f"{m.member_name} added as {_designation_label(m)}.",
    changed=lambda m: f"{m.member_name} is now {_designation_label(m)}.",
    removed=lambda m: f"{m.member_name} removed from the project.",
)


def _members_url(project) -> str:
    # No "#members" fragment: the flash message at the top of the page must be seen.
    return reverse("project-detail", kwargs={"pk": project.pk})


def _owned_project(request, pk, action: str):
    """The project, when the user is one of its OWNERs (else 404 or the 403 page)."""
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, project, Designation.OWNER, action)
    return project


@require_POST
def project_member_add(request, pk):
    project = _owned_project(request, pk, "add members")
    return PROJECT_MEMBERS.add(request, project, back=_members_url(project))


@require_POST
def project_member_update(request, pk, member_pk):
    project = _owned_project(request, pk, "change members' designations")
    membership = selectors.membership_get(project=project, pk=member_pk)
    return PROJECT_MEMBERS.update(request, membership, back=_members_url(project))


@require_POST
def project_member_remove(request, pk, member_pk):
    project = _owned_project(request, pk, "remove members")
    membership = selectors.membership_get(project=project, pk=member_pk)
    refused = PROJECT_MEMBERS.remove(request, membership, back=_members_url(project))
    if refused is not None:
        return refused
    if membership.user_id == request.user.pk:
        # Removing yourself may take away access to the page you came from.
        return redirect("project-list")
    return redirect(_members_url(project))
