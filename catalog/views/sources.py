"""Pages of data sources and their import runs."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from glossary.choices import GlossaryStatus
from glossary.models import FormType
from meshportal.exceptions import Conflict
from meshportal.forms import form_page, service_error_text
from meshportal.htmx import is_htmx_partial
from projects import selectors as project_selectors
from projects.choices import Designation, EnvironmentStatus
from projects.permissions import require_designation

from .. import selectors, services
from ..choices import ActivityStatus
from ..forms import DataSourceForm
from .helpers import ACTIVITY_PAGE_SIZE, RUN_PAGE_SIZE, _page, _permissions, _plural


def _environment_context(environments) -> dict:
    """What the form says about the project's environments (one query)."""
    environments = list(environments)
    return {
        "environments": environments,
        "has_environments": bool(environments),
        "has_active_environment": any(e.status == EnvironmentStatus.ACTIVE for e in environments),
    }


def _default_form_type_options(project, data_source=None):
    """The domain's enabled metadata forms, and those the source already names."""
    wanted = Q(status=GlossaryStatus.ENABLED)
    if data_source is not None:
        wanted |= Q(pk__in=data_source.default_form_types.values("pk"))
    return FormType.objects.filter(wanted, domain_id=project.domain_id).order_by("name")


@require_http_methods(["GET", "POST"])
def data_source_create(request, pk):
    project = project_selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.CONTRIBUTOR, "add data sources")
    return _data_source_form_page(request, project)


@require_http_methods(["GET", "POST"])
def data_source_edit(request, pk):
    data_source = selectors.data_source_get(user=request.user, pk=pk)
    project = data_source.project
    require_designation(request.user, project, Designation.CONTRIBUTOR, "change data sources")
    return _data_source_form_page(request, project, data_source)


def _data_source_form_page(request, project, data_source=None):
    """The data source form: creating one (``data_source`` None) or changing it."""
    creating = data_source is None
    environments = project_selectors.environment_list(user=request.user).filter(project=project)
    form = DataSourceForm(
        request.POST or None,
        environments=environments,
        form_types=_default_form_type_options(project, data_source),
        initial=None if creating else DataSourceForm.initial_for(data_source),
    )
    env_context = _environment_context(environments)
    if creating and len(env_context["environments"]) == 1:  # the only choice: preselect it
        form.fields["environment"].initial = env_context["environments"][0].pk
    context = {"project": project, "creating": creating, **env_context}
    if not creating:
        # The title stays the saved name: the service sets what was typed on the object.
        context.update(data_source_pk=data_source.pk, title=data_source.name)

    def save(form):
        fields = {"environment": form.cleaned_data["environment"], **form.service_kwargs()}
        if creating:
            return services.data_source_create(acting_user=request.user, project=project, **fields)
        return services.data_source_update(
            acting_user=request.user, data_source=data_source, **fields
        )

    def saved(data_source):
        if creating:
            messages.success(
                request,
                f"Data source “{data_source.name}” created. Run it to import its tables "
                "into the inventory.",
            )
        else:
            messages.success(request, f"Data source “{data_source.name}” saved.")
        return redirect("data-source-detail", pk=data_source.pk)

    return form_page(request, form, save, saved, "catalog/data_source_form.html", context)


@require_safe
def data_source_detail(request, pk):
    data_source = selectors.data_source_get(user=request.user, pk=pk)
    runs = selectors.run_list(user=request.user).filter(data_source=data_source)
    return render(
        request,
        "catalog/data_source_detail.html",
        {
            "data_source": data_source,
            "project": data_source.project,
            "environment": data_source.environment,
            "page": _page(request, runs, RUN_PAGE_SIZE),
            "active_run": selectors.active_run(data_source=data_source),
            **_permissions(request.user, data_source.project),
        },
    )


@require_POST
def data_source_run(request, pk):
    data_source = selectors.data_source_get(user=request.user, pk=pk)
    try:
        run, created = services.data_source_run_start(
            acting_user=request.user, data_source=data_source
        )
    except Conflict as error:
        messages.warning(request, error.message)
        return redirect("data-source-detail", pk=data_source.pk)
    if created:
        # Without a worker the run already finished inside this request.
        run.refresh_from_db(fields=["status"])
        if run.is_active:
            messages.success(request, f"Run of “{data_source.name}” started.")
        else:
            messages.info(
                request, f"Run of “{data_source.name}” finished: {run.get_status_display()}."
            )
    else:
        messages.info(request, "A run is already in progress.")
    return redirect("data-source-run-detail", pk=run.pk)


@require_POST
def data_source_toggle(request, pk):
    data_source = selectors.data_source_get(user=request.user, pk=pk)
    enable = not data_source.enabled
    try:
        services.data_source_update(
            acting_user=request.user, data_source=data_source, enabled=enable
        )
    except ValidationError as error:
        messages.error(request, f"“{data_source.name}” not changed: {service_error_text(error)}")
    else:
        if enable:
            schedule = "on its schedule and on demand" if data_source.schedule else "on demand"
            messages.success(
                request, f"Data source “{data_source.name}” enabled: it runs {schedule}."
            )
        else:
            messages.success(
                request,
                f"Data source “{data_source.name}” disabled: it does not run until it is "
                "enabled again. Its assets stay in the inventory.",
            )
    return redirect("data-source-detail", pk=data_source.pk)


@require_POST
def data_source_delete(request, pk):
    data_source = selectors.data_source_get(user=request.user, pk=pk)
    project_pk, name = data_source.project_id, data_source.name
    asset_count = data_source.assets.count()
    try:
        services.data_source_delete(acting_user=request.user, data_source=data_source)
    except Conflict as error:
        messages.warning(request, error.message)
        return redirect("data-source-detail", pk=data_source.pk)
    kept = (
        f" Its {_plural(asset_count, 'asset')} stay in the inventory, detached."
        if asset_count
        else ""
    )
    messages.success(request, f"Data source “{name}” deleted.{kept}")
    return redirect("project-detail", pk=project_pk)


ACTIVITY_TABS = [
    ("", "All", None),
    (ActivityStatus.SUCCEEDED_CREATED, "Created", "added"),
    (ActivityStatus.SUCCEEDED_UPDATED, "Updated", "updated"),
    (ActivityStatus.UNCHANGED, "Unchanged", "unchanged"),
    (ActivityStatus.SKIPPED_ARCHIVED, "Archived", "archived"),
    (ActivityStatus.FAILED, "Failed", "failed"),
]


def _activity_tabs(run, current: str) -> list[dict]:
    """Status tabs with their counts, read from the run's counters (no query)."""
    total = run.added + run.updated + run.unchanged + run.archived + run.failed
    return [
        {
            "status": status,
            "label": label,
            "count": getattr(run, counter) if counter else total,
            "current": status == current,
        }
        for status, label, counter in ACTIVITY_TABS
    ]


@require_safe
def run_detail(request, pk):
    run = selectors.run_get(user=request.user, pk=pk)
    data_source = run.data_source
    status = request.GET.get("status", "")
    if status not in ActivityStatus.values:
        status = ""
    context = {
        "run": run,
        "data_source": data_source,
        "project": data_source.project,
        "polling": run.is_active,
        "status_filter": status,
        **_permissions(request.user, data_source.project),
    }
    if not run.is_active:
        activities = selectors.activity_list(run=run)
        if status:
            activities = activities.filter(status=status)
        context["page"] = _page(request, activities, ACTIVITY_PAGE_SIZE)
        context["tabs"] = _activity_tabs(run, status)
    template = "catalog/_run_panel.html" if is_htmx_partial(request) else "catalog/run_detail.html"
    return render(request, template, context)
