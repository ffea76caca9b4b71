"""Pages of the projects app: home, projects, members, environments, domains, inbox.

Views are thin: they read through selectors (already narrowed to what the user may see,
so anything else is a 404), validate a form, call a service, and render or redirect.
Services decide who may change what (PermissionDenied → the 403 page) and what is valid
(ValidationError → shown on the form or as a flash message, never a 500).
"""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meshportal.exceptions import Conflict
from meshportal.forms import attach_service_errors, service_error_text
from meshportal.htmx import is_htmx_partial

from . import selectors, services
from .choices import Designation, EnvironmentStatus
from .filters import NotificationFilterSet, ProjectFilterSet
from .forms import (
    EnvironmentCreateForm,
    MemberAddForm,
    MemberUpdateForm,
    ProjectCreateForm,
    ProjectEditForm,
)
from .permissions import project_designation, require_designation
from .provisioning import steps_for

PAGE_SIZE = 25
HOME_LIST_SIZE = 8


def _designation(project) -> Designation | None:
    """The user's designation from the selector's annotation (no extra query)."""
    value = getattr(project, "my_designation", None)
    return Designation(value) if value else None


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _safe_local_url(url: str) -> bool:
    """Only same-site relative paths: "/projects/…", never "//host" or "https://…"."""
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )


# --- Home -----------------------------------------------------------------------------


@require_safe
def home(request):
    user = request.user
    projects = list(selectors.project_list(user=user)[: HOME_LIST_SIZE + 1])
    tasks = list(selectors.open_task_list(user=user)[: HOME_LIST_SIZE + 1])
    recent = list(selectors.notification_list(user=user)[:5])
    return render(
        request,
        "projects/home.html",
        {
            "projects": projects[:HOME_LIST_SIZE],
            "more_projects": len(projects) > HOME_LIST_SIZE,
            "tasks": tasks[:HOME_LIST_SIZE],
            "more_tasks": len(tasks) > HOME_LIST_SIZE,
            "recent_notifications": recent,
        },
    )


# --- Projects -------------------------------------------------------------------------


@require_safe
def project_list(request):
    filterset = ProjectFilterSet(
        request.GET or None, queryset=selectors.project_list(user=request.user)
    )
    domain_field = filterset.form.fields["domain"]
    domain_field.empty_label = "All domains"
    domain_field.widget.attrs["class"] = "input input--select"
    page = _page(request, filterset.qs)
    return render(
        request,
        "projects/project_list.html",
        {
            "filterset": filterset,
            "page": page,
            "filtered": any(request.GET.get(k) for k in ("q", "domain")),
        },
    )


@require_http_methods(["GET", "POST"])
def project_create(request):
    domains = selectors.domain_list(user=request.user)
    form = ProjectCreateForm(request.POST or None, domains=domains)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                acting_user=request.user,
                domain=form.cleaned_data["domain"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, f"Project “{project.name}” created. You are its owner.")
            return redirect("project-detail", pk=project.pk)
    initial_domain = request.GET.get("domain")
    if request.method == "GET" and initial_domain:
        form.initial["domain"] = initial_domain
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "has_domains": domains.exists(), "creating": True},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_safe
def project_detail(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    designation = _designation(project)
    members = selectors.membership_list(project=project)
    environments = selectors.environment_list(user=request.user).filter(project=project)
    can_manage = bool(designation and designation.can_manage_members)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "designation": designation,
            "can_edit": bool(designation and designation.can_edit),
            "can_manage": can_manage,
            "members": members,
            "environments": environments,
            "member_form": MemberAddForm() if can_manage else None,
            "designations": Designation.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.OWNER, "change the project's details")
    form = ProjectEditForm(
        request.POST or None, initial={"name": project.name, "description": project.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                acting_user=request.user,
                project=project,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, "Project details saved.")
            return redirect("project-detail", pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "creating": False},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Members --------------------------------------------------------------------------


def _members_url(project) -> str:
    # No "#members" fragment: the flash message at the top of the page must be seen.
    return reverse("project-detail", kwargs={"pk": project.pk})


@require_POST
def project_member_add(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.OWNER, "add members")
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        problems = [e for errors in form.errors.values() for e in errors]
        messages.error(request, "Member not added: " + " ".join(problems))
        return redirect(_members_url(project))
    try:
        membership = services.project_member_add(
            acting_user=request.user,
            project=project,
            designation=form.cleaned_data["designation"],
            username=form.cleaned_data["username"],
            group=form.cleaned_data["group"],
        )
    except ValidationError as error:
        messages.error(request, "Member not added: " + service_error_text(error))
    else:
        messages.success(
            request,
            f"{membership.member_name} added as "
            f"{Designation(membership.designation).label.lower()}.",
        )
    return redirect(_members_url(project))


@require_POST
def project_member_update(request, pk, member_pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.OWNER, "change members' designations")
    membership = selectors.membership_get(project=project, pk=member_pk)
    form = MemberUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a designation: owner, contributor or viewer.")
        return redirect(_members_url(project))
    try:
        membership = services.project_member_update(
            acting_user=request.user,
            membership=membership,
            designation=form.cleaned_data["designation"],
        )
    except ValidationError as error:
        messages.error(
            request, f"{membership.member_name} not changed: {service_error_text(error)}"
        )
    else:
        messages.success(
            request,
            f"{membership.member_name} is now {Designation(membership.designation).label.lower()}.",
        )
    return redirect(_members_url(project))


@require_POST
def project_member_remove(request, pk, member_pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.OWNER, "remove members")
    membership = selectors.membership_get(project=project, pk=member_pk)
    name = membership.member_name
    try:
        services.project_member_remove(acting_user=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, f"{name} not removed: {service_error_text(error)}")
        return redirect(_members_url(project))
    messages.success(request, f"{name} removed from the project.")
    if membership.user_id == request.user.pk:
        # Removing yourself may take away access to the page you came from.
        return redirect("project-list")
    return redirect(_members_url(project))


# --- Environments ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def environment_create(request, pk):
    project = selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.CONTRIBUTOR, "create environments")
    profiles = selectors.environment_profile_list(user=request.user, domain=project.domain)
    form = EnvironmentCreateForm(request.POST or None, profiles=profiles)
    profile_ids = list(profiles.values_list("pk", flat=True)[:2])
    if len(profile_ids) == 1:  # the only choice: preselect it
        form.fields["profile"].initial = profile_ids[0]
    if request.method == "POST" and form.is_valid():
        try:
            environment = services.environment_create(
                acting_user=request.user,
                project=project,
                profile=form.cleaned_data["profile"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            # Without a worker the provisioning already ran inside this request.
            environment.refresh_from_db(fields=["status"])
            if environment.status == EnvironmentStatus.ACTIVE:
                messages.success(request, f"Environment “{environment.name}” was created.")
            elif environment.status == EnvironmentStatus.CREATE_FAILED:
                messages.error(request, f"Environment “{environment.name}” could not be created.")
            else:
                messages.success(
                    request, f"Environment “{environment.name}” is being created in AWS."
                )
            return redirect("environment-detail", pk=environment.pk)
    return render(
        request,
        "projects/environment_form.html",
        {"form": form, "project": project, "has_profiles": bool(profile_ids)},
        status=400 if form.is_bound and form.errors else 200,
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
    environment = selectors.environment_get(user=request.user, pk=pk)
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


@require_POST
def environment_retry(request, pk):
    environment = selectors.environment_get(user=request.user, pk=pk)
    try:
        services.environment_retry(acting_user=request.user, environment=environment)
    except Conflict as error:
        messages.warning(request, error.message)
    else:
        messages.info(request, f"Provisioning of “{environment.name}” started again.")
    return redirect("environment-detail", pk=environment.pk)


# --- Domains --------------------------------------------------------------------------


@require_safe
def domain_list(request):
    user = request.user
    domains = selectors.domain_list(user=user).prefetch_related(
        Prefetch("aws_accounts", queryset=selectors.aws_account_list(user=user)),
        Prefetch("environment_profiles", queryset=selectors.environment_profile_list(user=user)),
    )
    return render(request, "projects/domain_list.html", {"domains": domains})


# --- Notifications --------------------------------------------------------------------

NOTIFICATION_TABS = [
    ("all", "All", {}),
    ("unread", "Unread", {"unread": "true"}),
    ("tasks", "Open tasks", {"kind": "TASK", "task_status": "ACTIVE"}),
]


def _notification_tab(params) -> str:
    for key, _label, query in reversed(NOTIFICATION_TABS):
        if query and all(params.get(k) == v for k, v in query.items()):
            return key
    return "all"


@require_safe
def notification_list(request):
    filterset = NotificationFilterSet(
        request.GET or None, queryset=selectors.notification_list(user=request.user)
    )
    page = _page(request, filterset.qs)
    current = _notification_tab(request.GET)
    tabs = [
        {"key": key, "label": label, "query": query, "current": key == current}
        for key, label, query in NOTIFICATION_TABS
    ]
    return render(
        request,
        "projects/notification_list.html",
        {"filterset": filterset, "page": page, "tabs": tabs, "tab": current},
    )


@require_POST
def notification_read(request, pk):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(acting_user=request.user, notification=notification)
    if _safe_local_url(notification.link):
        return redirect(notification.link)
    return redirect("notification-list")


@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(acting_user=request.user)
    if count:
        messages.success(
            request, f"Marked {count} notification{'s' if count != 1 else ''} as read."
        )
    else:
        messages.info(request, "Nothing to mark: every notification was already read.")
    next_url = request.POST.get("next", "")
    return redirect(next_url if _safe_local_url(next_url) else "notification-list")


# --- Environment deletion ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def environment_delete(request, pk):
    """Confirm and start the deletion of an environment, or retry a failed one (OWNERs).

    GET shows what will be removed; POST moves it to DELETING and goes back to the
    environment page, whose panel then follows the deletion live.
    """
    environment = selectors.environment_get(user=request.user, pk=pk)
    require_designation(request.user, environment.project, Designation.OWNER, "delete environments")
    if request.method == "POST":
        try:
            services.environment_delete(acting_user=request.user, environment=environment)
        except Conflict as error:
            messages.warning(request, error.message)
        else:
            messages.info(request, f"Deletion of “{environment.name}” started.")
        return redirect("environment-detail", pk=environment.pk)
    if environment.status not in services.DELETABLE_STATUSES:
        return redirect("environment-detail", pk=environment.pk)
    return render(
        request,
        "projects/environment_delete.html",
        {"environment": environment, "project": environment.project},
    )
