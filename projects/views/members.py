"""Members of a project (its OWNERs manage them) and the steps every members page shares.

The project's members and the domain's (``domain_members``) are managed the same way:
a form checks the input, a service decides, a flash message says what happened, and the
page is shown again. ``add_member``, ``update_member`` and ``remove_member`` are those
steps; each view names its form, its service call and its wording.
"""

from collections.abc import Callable

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


def add_member(request, *, form, add: Callable, added: Callable, back: str):
    """Validate ``form``, call ``add(cleaned_data)``, flash ``added(membership)`` or why not."""
    if not form.is_valid():
        problems = [e for errors in form.errors.values() for e in errors]
        messages.error(request, "Member not added: " + " ".join(problems))
        return redirect(back)
    try:
        membership = add(form.cleaned_data)
    except ValidationError as error:
        messages.error(request, "Member not added: " + service_error_text(error))
    else:
        messages.success(request, added(membership))
    return redirect(back)


def update_member(
    request, *, form, membership, update: Callable, invalid: str, changed: Callable, back: str
):
    """Validate ``form`` (``invalid`` when not), call ``update(cleaned_data)``, flash."""
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect(back)
    try:
        membership = update(form.cleaned_data)
    except ValidationError as error:
        messages.error(
            request, f"{membership.member_name} not changed: {service_error_text(error)}"
        )
    else:
        messages.success(request, changed(membership))
    return redirect(back)


def remove_member(request, *, membership, remove: Callable, removed: str, back: str):
    """Call ``remove()``; flash ``removed`` or why not. Returns None on success so the
    caller decides where to go (removing yourself may close the page you came from)."""
    name = membership.member_name
    try:
        remove()
    except ValidationError as error:
        messages.error(request, f"{name} not removed: {service_error_text(error)}")
        return redirect(back)
    messages.success(request, removed)
    return None


# --- A project's members ----------------------------------------------------------------


def _members_url(project) -> str:
    # No "#members" fragment: the flash message at the top of the page must be seen.
    return reverse("project-detail", kwargs={"pk": project.pk})


def _designation_label(membership) -> str:
    return Designation(membership.designation).label.lower()


@require_POST
def project_member_add(request, pk):
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, project, Designation.OWNER, "add members")
    return add_member(
        request,
        form=MemberAddForm(request.POST),
        add=lambda data: services.project_member_add(
            acting_user=request.user,
            project=project,
            designation=data["designation"],
            username=data["username"],
            group=data["group"],
        ),
        added=lambda m: f"{m.member_name} added as {_designation_label(m)}.",
        back=_members_url(project),
    )


@require_POST
def project_member_update(request, pk, member_pk):
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, project, Designation.OWNER, "change members' designations")
    membership = selectors.membership_get(project=project, pk=member_pk)
    return update_member(
        request,
        form=MemberUpdateForm(request.POST),
        membership=membership,
        update=lambda data: services.project_member_update(
            acting_user=request.user, membership=membership, designation=data["designation"]
        ),
        invalid="Choose a designation: owner, contributor or viewer.",
        changed=lambda m: f"{m.member_name} is now {_designation_label(m)}.",
        back=_members_url(project),
    )


@require_POST
def project_member_remove(request, pk, member_pk):
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, project, Designation.OWNER, "remove members")
    membership = selectors.membership_get(project=project, pk=member_pk)
    refused = remove_member(
        request,
        membership=membership,
        remove=lambda: services.project_member_remove(
            acting_user=request.user, membership=membership
        ),
        removed=f"{membership.member_name} removed from the project.",
        back=_members_url(project),
    )
    if refused is not None:
        return refused
    if membership.user_id == request.user.pk:
        # Removing yourself may take away access to the page you came from.
        return redirect("project-list")
    return redirect(_members_url(project))
