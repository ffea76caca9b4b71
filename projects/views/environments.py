"""Environments: create, follow provisioning, retry, delete."""

from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meshportal.exceptions import Conflict
from meshportal.forms import form_page
from meshportal.htmx import is_htmx_partial

from .. import selectors, services
from ..choices import Designation, EnvironmentStatus
from ..forms import EnvironmentCreateForm
from ..permissions import project_designation, require_designation
from ..provisioning import steps_for


@require_http_methods(["GET", "POST"])
def environment_create(request, pk):
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, project, Designation.CONTRIBUTOR, "create environments")
    profiles = selectors.environment_profile_list(user=request.user, domain=project.domain)
    form = EnvironmentCreateForm(request.POST or None, profiles=profiles)
    profile_ids = list(profiles.values_list("pk", flat=True)[:2])
    if len(profile_ids) == 1:  # the only choice: preselect it
        form.fields["profile"].initial = profile_ids[0]

    def save(form):
        return services.environment_create(
            acting_user=request.user,
            project=project,
            profile=form.cleaned_data["profile"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
        )

    def created(environment):
        # Without a worker the provisioning already ran inside this request.
        environment.refresh_from_db(fields=["status"])
        if environment.status == EnvironmentStatus.ACTIVE:
            messages.success(request, f"Environment “{environment.name}” was created.")
        elif environment.status == EnvironmentStatus.CREATE_FAILED:
            messages.error(request, f"Environment “{environment.name}” could not be created.")
        else:
            messages.success(request, f"Environment “{environment.name}” is being created in AWS.")
        return redirect("environment-detail", pk=environment.pk)

    return form_page(
        request,
        form,
        save,
        created,
        "projects/environment_form.html",
        {"project": project, "has_profiles": bool(profile_ids)},
    )


def _provisioning_progress(environment) -> dict:
    """The steps of the blueprint with their state: done (and when), running, failed."""
    done = environment.provisioning_steps or {}
    steps, next_marked = [], False
    for key, label in steps_for(environment.profile.blueprint):
        at = done.get(key)
        if at:
            try:
                at = datetime.fromisoformat(at)
            except (TypeError, ValueError):
                at = None
            steps.append({"key": key, "label": label, "state": "done", "at": at})
            continue
        state = "pending"
        if not next_marked:
            next_marked = True
            if environment.status == EnvironmentStatus.CREATING:
                state = "running"
            elif environment.status == EnvironmentStatus.CREATE_FAILED:
                state = "failed"
        steps.append({"key": key, "label": label, "state": state, "at": None})
    done_count = sum(step["state"] == "done" for step in steps)
    if environment.status == EnvironmentStatus.ACTIVE:
        done_count = len(steps)
        for step in steps:
            if step["state"] != "done":
                step["state"] = "done"
    return {
        "steps": steps,
        "done": done_count,
        "total": len(steps),
        "percent": round(100 * done_count / len(steps)) if steps else 100,
    }


@require_safe
def environment_detail(request, pk):
    environment = selectors.environment_get(user=request.user, pk=pk, platform_wide=True)
    project = environment.project
    designation = project_designation(request.user, project)
    context = {
        "environment": environment,
        "project": project,
        "designation": designation,
        "can_edit": bool(designation and designation.can_edit),
        "progress": _provisioning_progress(environment),
        "polling": environment.status == EnvironmentStatus.CREATING,
    }
    template = (
        "projects/_environment_panel.html"
        if is_htmx_partial(request)
        else "projects/environment_detail.html"
    )
    return render(request, template, context)


def _start(request, environment, service, work: str, started: str):
    """Start background work on the environment (provisioning again, deletion) and go
    back to its page: "<work> of “name” <started>." as information, or the Conflict's
    reason as a warning when its state does not allow it."""
    try:
        service(acting_user=request.user, environment=environment)
    except Conflict as error:
        messages.warning(request, error.message)
    else:
        messages.info(request, f"{work} of “{environment.name}” {started}.")
    return redirect("environment-detail", pk=environment.pk)


@require_POST
def environment_retry(request, pk):
    environment = selectors.environment_get(user=request.user, pk=pk, platform_wide=True)
    return _start(request, environment, services.environment_retry, "Provisioning", "started again")


@require_http_methods(["GET", "POST"])
def environment_delete(request, pk):
    """Confirm and start the deletion of an environment, or retry a failed one (OWNERs).

    GET shows what will be removed; POST moves it to DELETING and goes back to the
    environment page, whose panel then follows the deletion live.
    """
    environment = selectors.environment_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, environment.project, Designation.OWNER, "delete environments")
    if request.method == "POST":
        return _start(request, environment, services.environment_delete, "Deletion", "started")
    if environment.status not in services.DELETABLE_STATUSES:
        return redirect("environment-detail", pk=environment.pk)
    return render(
        request,
        "projects/environment_delete.html",
        {"environment": environment, "project": environment.project},
    )
