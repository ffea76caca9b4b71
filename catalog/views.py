"""Pages of the catalog app: data sources, their runs, the project's inventory, assets.

Same shape as projects/views.py: read through selectors (already narrowed to what the
user may see, so anything else is a 404), validate a form, call a service, render or
redirect. Services decide who may change what (PermissionDenied → the 403 page), what is
valid (ValidationError → on the form or in a flash message) and what no longer applies
(Conflict → a flash message).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meshportal.exceptions import Conflict
from projects import selectors as project_selectors
from projects.choices import Designation, EnvironmentStatus
from projects.forms import service_error_text
from projects.permissions import project_designation, require_designation
from projects.views import is_htmx_partial

from . import selectors, services
from .choices import ActivityStatus, AssetType
from .filters import AssetFilterSet
from .forms import DataSourceForm

RUN_PAGE_SIZE = 25
ACTIVITY_PAGE_SIZE = 50
INVENTORY_PAGE_SIZE = 50
REVISION_PAGE_SIZE = 20


def _page(request, queryset, size, param="page"):
    return Paginator(queryset, size).get_page(request.GET.get(param))


def _permissions(user, project) -> dict:
    designation = project_designation(user, project)
    return {"designation": designation, "can_edit": bool(designation and designation.can_edit)}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- Data sources -----------------------------------------------------------------------


def _environment_context(environments) -> dict:
    """What the form says about the project's environments (one query)."""
    environments = list(environments)
    return {
        "environments": environments,
        "has_environments": bool(environments),
        "has_active_environment": any(e.status == EnvironmentStatus.ACTIVE for e in environments),
    }


@require_http_methods(["GET", "POST"])
def data_source_create(request, pk):
    project = project_selectors.project_get(user=request.user, pk=pk)
    require_designation(request.user, project, Designation.CONTRIBUTOR, "add data sources")
    environments = project_selectors.environment_list(user=request.user).filter(project=project)
    form = DataSourceForm(request.POST or None, environments=environments)
    env_context = _environment_context(environments)
    if len(env_context["environments"]) == 1:  # the only choice: preselect it
        form.fields["environment"].initial = env_context["environments"][0].pk
    if request.method == "POST" and form.is_valid():
        try:
            data_source = services.data_source_create(
                acting_user=request.user,
                project=project,
                environment=form.cleaned_data["environment"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(
                request,
                f"Data source “{data_source.name}” created. Run it to import its tables "
                "into the inventory.",
            )
            return redirect("data-source-detail", pk=data_source.pk)
    return render(
        request,
        "catalog/data_source_form.html",
        {"form": form, "project": project, "creating": True, **env_context},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def data_source_edit(request, pk):
    data_source = selectors.data_source_get(user=request.user, pk=pk)
    project = data_source.project
    require_designation(request.user, project, Designation.CONTRIBUTOR, "change data sources")
    environments = project_selectors.environment_list(user=request.user).filter(project=project)
    form = DataSourceForm(
        request.POST or None,
        environments=environments,
        initial=DataSourceForm.initial_for(data_source),
    )
    title = data_source.name  # the service sets what was typed on the object, valid or not
    if request.method == "POST" and form.is_valid():
        try:
            services.data_source_update(
                acting_user=request.user,
                data_source=data_source,
                environment=form.cleaned_data["environment"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.attach(error)
        else:
            messages.success(request, f"Data source “{data_source.name}” saved.")
            return redirect("data-source-detail", pk=data_source.pk)
    return render(
        request,
        "catalog/data_source_form.html",
        {
            "form": form,
            "project": project,
            "data_source_pk": data_source.pk,
            "title": title,
            "creating": False,
            **_environment_context(environments),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


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
        messages.success(request, f"Run of “{data_source.name}” started.")
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


# --- Runs -------------------------------------------------------------------------------

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


# --- Inventory and assets -----------------------------------------------------------------

ARCHIVED_CHOICES = [("false", "Current assets"), ("true", "Archived only"), ("all", "All")]
FILTER_LABELS = {
    "q": "Search",
    "data_source": "Data source",
    "type": "Type",
    "archived": "Archived",
}


@require_safe
def inventory(request, pk):
    project = project_selectors.project_get(user=request.user, pk=pk)
    data = request.GET.copy()
    if not data.get("archived"):
        data["archived"] = "false"  # archived assets are hidden unless asked for
    filterset = AssetFilterSet(
        data, queryset=selectors.asset_list(user=request.user).filter(project=project)
    )
    data_sources = selectors.data_source_list(user=request.user).filter(project=project)
    filtered = any(request.GET.get(k) for k in ("q", "data_source", "type")) or (
        request.GET.get("archived", "false") != "false"
    )
    return render(
        request,
        "catalog/inventory.html",
        {
            "project": project,
            "filterset": filterset,
            "page": _page(request, filterset.qs, INVENTORY_PAGE_SIZE),
            "filtered": filtered,
            "filter_errors": [
                f"{FILTER_LABELS.get(field, field)}: {error}"
                for field, errors in filterset.errors.items()
                for error in errors
            ],
            "data_sources": data_sources.values_list("pk", "name"),
            "asset_types": AssetType.choices,
            "archived_choices": ARCHIVED_CHOICES,
            "selected": {
                "q": request.GET.get("q", ""),
                "data_source": request.GET.get("data_source", ""),
                "type": request.GET.get("type", ""),
                "archived": data["archived"],
            },
            **_permissions(request.user, project),
        },
    )


@require_safe
def asset_detail(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    predictions = list(selectors.prediction_list(asset=asset))
    suggested = {p.column_id: p.value for p in predictions if p.column_id}
    columns = list(asset.columns.all())
    for column in columns:
        column.suggestion = suggested.get(column.pk, "")
    metadata = asset.technical_metadata or {}
    return render(
        request,
        "catalog/asset_detail.html",
        {
            "asset": asset,
            "project": asset.project,
            "columns": columns,
            "metadata": metadata,
            "parameters": sorted((metadata.get("parameters") or {}).items()),
            "table_predictions": [p for p in predictions if p.column_id is None],
            "column_predictions": [p for p in predictions if p.column_id],
            "prediction_count": len(predictions),
            "page": _page(request, selectors.revision_list(asset=asset), REVISION_PAGE_SIZE),
            **_permissions(request.user, asset.project),
        },
    )


def _decided(prediction, verb: str) -> str:
    target = f"column {prediction.column.name}" if prediction.column_id else "the table"
    return f"Business name “{prediction.value}” {verb} for {target}."


@require_POST
def prediction_accept(request, pk):
    prediction = selectors.prediction_get(user=request.user, pk=pk)
    try:
        services.prediction_accept(acting_user=request.user, prediction=prediction)
    except Conflict as error:
        messages.warning(request, error.message)
    except ValidationError as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, _decided(prediction, "accepted"))
    return redirect("asset-detail", pk=prediction.asset_id)


@require_POST
def prediction_reject(request, pk):
    prediction = selectors.prediction_get(user=request.user, pk=pk)
    try:
        services.prediction_reject(acting_user=request.user, prediction=prediction)
    except Conflict as error:
        messages.warning(request, error.message)
    else:
        messages.success(request, _decided(prediction, "rejected"))
    return redirect("asset-detail", pk=prediction.asset_id)


@require_POST
def asset_predictions_accept_all(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    count = services.predictions_accept_all(acting_user=request.user, asset=asset)
    if count:
        asset.refresh_from_db(fields=["current_revision"])
        messages.success(
            request,
            f"Accepted {_plural(count, 'business name')}; revision {asset.current_revision} "
            "records them.",
        )
    else:
        messages.info(request, "There were no suggestions left to accept.")
    return redirect("asset-detail", pk=asset.pk)


@require_POST
def asset_predictions_reject_all(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    count = services.predictions_reject_all(acting_user=request.user, asset=asset)
    if count:
        messages.success(request, f"Rejected {_plural(count, 'suggestion')}.")
    else:
        messages.info(request, "There were no suggestions left to reject.")
    return redirect("asset-detail", pk=asset.pk)
