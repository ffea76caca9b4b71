"""Home and the project pages: list, create, detail, edit.

A platform admin sees every project (read-only unless a member: the services still ask
for a designation before any change).
"""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from meshportal.forms import form_page, success_redirect

from .. import selectors, services
from ..choices import Designation
from ..filters import ProjectFilterSet
from ..forms import MemberAddForm, ProjectCreateForm, ProjectEditForm
from ..permissions import require_designation
from .helpers import HOME_LIST_SIZE, designation_of, page_of

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
        request.GET or None,
        queryset=selectors.project_list(user=request.user, platform_wide=True),
    )
    domain_field = filterset.form.fields["domain"]
    domain_field.empty_label = "All domains"
    domain_field.widget.attrs["class"] = "input input--select"
    page = page_of(request, filterset.qs)
    # The platform pages count a profile's projects and link here with ?profile=.
    profile = None
    if filterset.is_valid() and filterset.form.cleaned_data.get("profile"):
        profile = (
            selectors.environment_profile_list(user=request.user)
            .filter(pk=filterset.form.cleaned_data["profile"])
            .first()
        )
    return render(
        request,
        "projects/project_list.html",
        {
            "filterset": filterset,
            "page": page,
            "filtered": any(request.GET.get(k) for k in ("q", "domain", "profile")),
            "profile_filter": profile,
        },
    )


@require_http_methods(["GET", "POST"])
def project_create(request):
    domains = selectors.domain_list(user=request.user)
    form = ProjectCreateForm(request.POST or None, domains=domains)
    initial_domain = request.GET.get("domain")
    if request.method == "GET" and initial_domain:
        form.initial["domain"] = initial_domain

    def save(form):
        return services.project_create(acting_user=request.user, **form.cleaned_data)

    created = success_redirect(
        request,
        lambda project: f"Project “{project.name}” created. You are its owner.",
        "project-detail",
    )

    return form_page(
        request,
        form,
        save,
        created,
        "projects/project_form.html",
        {"has_domains": domains.exists(), "creating": True},
    )


@require_safe
def project_detail(request, pk):
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    designation = designation_of(project)
    members = selectors.membership_list(project=project)
    environments = selectors.environment_list(user=request.user, platform_wide=True).filter(
        project=project
    )
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
            # A platform admin who is neither a member nor a steward reads the project
            # and its environments here; its inventory stays its members' and stewards'.
            "seen_as_admin": bool(getattr(project, "seen_as_admin", False)),
            "environments": environments,
            "member_form": MemberAddForm() if can_manage else None,
            "designations": Designation.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = selectors.project_get(user=request.user, pk=pk, platform_wide=True)
    require_designation(request.user, project, Designation.OWNER, "change the project's details")
    form = ProjectEditForm(
        request.POST or None, initial={"name": project.name, "description": project.description}
    )

    def save(form):
        return services.project_update(
            acting_user=request.user, project=project, **form.cleaned_data
        )

    saved = success_redirect(request, "Project details saved.", "project-detail")

    return form_page(
        request,
        form,
        save,
        saved,
        "projects/project_form.html",
        {"project": project, "creating": False},
    )
