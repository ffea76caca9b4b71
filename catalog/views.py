"""Pages of the catalog app: data sources, their runs, the project's inventory, assets.

Same shape as projects/views.py: read through selectors (already narrowed to what the
user may see, so anything else is a 404), validate a form, call a service, render or
redirect. Services decide who may change what (PermissionDenied → the 403 page), what is
valid (ValidationError → on the form or in a flash message) and what no longer applies
(Conflict → a flash message).
"""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from glossary import selectors as glossary_selectors
from glossary.choices import FieldType
from glossary.choices import Status as GlossaryStatus
from glossary.models import FormField, FormType, GlossaryTerm
from glossary.queries import TERM_HEAVY_FIELDS, light_terms
from meshportal.exceptions import Conflict, Incomplete
from meshportal.markdown import render_markdown
from projects import selectors as project_selectors
from projects.choices import Designation, EnvironmentStatus
from projects.forms import attach_service_errors, service_error_text
from projects.permissions import project_designation, require_designation
from projects.views import is_htmx_partial

from . import selectors, services
from .choices import ActivityStatus, AssetType, ListingStatus, PredictionKind
from .diffs import snapshot_differences
from .filters import AssetFilterSet
from .forms import (
    AssetEditForm,
    ColumnRowFormSet,
    DataSourceForm,
    FormValuesForm,
    PublishForm,
    TermNames,
)
from .models import AssetForm
from .snapshots import forms_snapshot

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
    environments = project_selectors.environment_list(user=request.user).filter(project=project)
    form = DataSourceForm(
        request.POST or None,
        environments=environments,
        form_types=_default_form_type_options(project),
    )
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
        form_types=_default_form_type_options(project, data_source),
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


def _publishing_status(asset, listing) -> dict:
    """What the publishing panel says: not published, published, unpublished changes
    (the asset moved on since the listing's revision), or unpublished (INACTIVE)."""
    if listing is None:
        return {"state": "none", "label": "Not published"}
    if listing.status == ListingStatus.INACTIVE:
        return {"state": "inactive", "label": "Unpublished (inactive)"}
    if asset.current_revision > listing.revision:
        return {
            "state": "changes",
            "label": f"Unpublished changes: revision {asset.current_revision} is newer than "
            f"the published {listing.revision}",
        }
    return {
        "state": "published",
        "label": f"Published (revision {listing.revision}, "
        f"{formats.date_format(timezone.localtime(listing.published_at), 'M j, Y H:i')})",
    }


def _asset_forms(asset) -> list:
    """The asset's forms with their fields in order (three queries)."""
    return list(
        AssetForm.objects.filter(asset=asset)
        .select_related("form_type")
        .prefetch_related(
            Prefetch("form_type__fields", queryset=FormField.objects.order_by("order"))
        )
        .order_by("form_type__name")
    )


def _mark_attached_terms(predictions, asset_terms, columns_by_id) -> None:
    """``prediction.current_terms``: the terms its table or column carries now, and
    ``already_attached`` when the suggested term is among them (set by hand since)."""
    for prediction in predictions:
        if prediction.kind != PredictionKind.GLOSSARY_TERM:
            continue
        column = columns_by_id.get(prediction.column_id)
        current = list(column.glossary_terms.all()) if column is not None else asset_terms
        prediction.current_terms = current
        prediction.already_attached = any(t.pk == prediction.glossary_term_id for t in current)


def _asset_context(request, asset, **extra) -> dict:
    """Everything the asset page shows, in a constant number of queries however many
    columns, terms, forms and revisions the asset has."""
    permissions = _permissions(request.user, asset.project)
    predictions = list(
        selectors.prediction_list(asset=asset).select_related(
            "glossary_term", "glossary_term__glossary"
        )
    )
    suggested = {
        p.column_id: p.value
        for p in predictions
        if p.column_id and p.kind == PredictionKind.BUSINESS_NAME
    }
    columns = list(asset.columns.all())
    prefetch_related_objects(
        columns,
        Prefetch(
            "glossary_terms",
            queryset=light_terms().order_by("name"),
        ),
    )
    for column in columns:
        column.suggestion = suggested.get(column.pk, "")
    asset_terms = list(light_terms(asset.glossary_terms.all()).order_by("name"))
    _mark_attached_terms(predictions, asset_terms, {c.pk: c for c in columns})
    metadata = asset.technical_metadata or {}
    asset_forms = _asset_forms(asset)
    attached = {af.form_type_id for af in asset_forms}
    listing = selectors.listing_for_asset(asset=asset)
    context = {
        "asset": asset,
        "project": asset.project,
        "columns": columns,
        "metadata": metadata,
        "parameters": sorted((metadata.get("parameters") or {}).items()),
        "description_html": render_markdown(asset.description),
        "glossary_terms": asset_terms,
        "has_comments": any(c.source_comment for c in columns),
        "forms": forms_snapshot(asset_forms),
        "table_predictions": [p for p in predictions if p.column_id is None],
        "column_predictions": [p for p in predictions if p.column_id],
        "prediction_count": len(predictions),
        "page": _page(request, selectors.revision_list(asset=asset), REVISION_PAGE_SIZE),
        "listing": listing,
        "publishing": _publishing_status(asset, listing),
        **permissions,
    }
    if permissions["can_edit"]:
        context["addable_form_types"] = list(
            FormType.objects.filter(domain_id=asset.domain_id, status=GlossaryStatus.ENABLED)
            .exclude(pk__in=attached)
            .order_by("name")
        )
        context["publish_missing"] = services.publish_missing(asset)
        context.setdefault(
            "publish_form",
            PublishForm(
                initial={"approval_required": listing.approval_required if listing else True}
            ),
        )
    context.update(extra)
    return context


@require_safe
def asset_detail(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    return render(request, "catalog/asset_detail.html", _asset_context(request, asset))


def _decided(prediction, verb: str) -> str:
    target = f"column {prediction.column.name}" if prediction.column_id else "the table"
    if prediction.kind == PredictionKind.GLOSSARY_TERM:
        return f"Glossary term “{prediction.value}” {verb} for {target}."
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
    kinds = Counter(selectors.prediction_list(asset=asset).values_list("kind", flat=True))
    try:
        count = services.predictions_accept_all(acting_user=request.user, asset=asset)
    except Conflict as error:
        messages.warning(request, f"Nothing was accepted: {error.message}")
        return redirect("asset-detail", pk=asset.pk)
    if count:
        asset.refresh_from_db(fields=["current_revision"])
        accepted = " and ".join(
            _plural(kinds[kind], word)
            for kind, word in (
                (PredictionKind.BUSINESS_NAME, "business name"),
                (PredictionKind.GLOSSARY_TERM, "glossary term"),
            )
            if kinds[kind]
        ) or _plural(count, "suggestion")
        messages.success(
            request,
            f"Accepted {accepted}; revision {asset.current_revision} records them.",
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


# --- Editing business metadata -------------------------------------------------------------


def _nested_errors(error: ValidationError, key: str) -> dict:
    """``{name: {field: [messages]}}`` under ``key`` of a service's nested error
    (NestedValidationError.nested), or {} when the error is a flat one."""
    nested = getattr(error, "nested", None) or {}
    value = nested.get(key)
    return value if isinstance(value, dict) else {}


def _term_options(asset, attached):
    """What the asset's term picker offers: the domain's attachable terms and the ones
    already attached (kept even if their glossary was disabled since)."""
    return (
        GlossaryTerm.objects.filter(glossary__domain_id=asset.domain_id)
        .filter(
            Q(status=GlossaryStatus.ENABLED, glossary__status=GlossaryStatus.ENABLED)
            | Q(pk__in=[t.pk for t in attached])
        )
        .select_related("glossary")
        .defer(*TERM_HEAVY_FIELDS)
        .order_by("glossary__name", "name")
    )


def _revision_note(asset) -> str:
    return f"revision {asset.current_revision} records the change"


@require_http_methods(["GET", "POST"])
def asset_edit(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    attached = list(light_terms(asset.glossary_terms.all()))
    form = AssetEditForm(
        request.POST or None,
        terms=_term_options(asset, attached),
        initial={
            "business_name": asset.business_name,
            "description": asset.description,
            "glossary_terms": [str(t.pk) for t in attached],
        },
    )
    if request.method == "POST" and form.is_valid():
        before = asset.current_revision
        try:
            updated = services.asset_update(
                acting_user=request.user,
                asset=asset,
                business_name=form.cleaned_data["business_name"],
                description=form.cleaned_data["description"],
                glossary_terms=form.cleaned_data["glossary_terms"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            if updated.current_revision == before:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(
                    request, f"“{updated.display_name}” saved; {_revision_note(updated)}."
                )
            return redirect("asset-detail", pk=asset.pk)
    return render(
        request,
        "catalog/asset_edit.html",
        {
            "asset": asset,
            "project": asset.project,
            "form": form,
            "description_html": render_markdown(asset.description),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def asset_columns_edit(request, pk):
    """Business names, descriptions and terms of every column on one page. Terms are
    typed as names (with the domain's terms offered as suggestions): a select of every
    term per column would not stay usable at 200 columns."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    columns = list(asset.columns.all())
    prefetch_related_objects(
        columns,
        Prefetch("glossary_terms", queryset=light_terms()),
    )
    by_name = {c.name: c for c in columns}
    term_names = TermNames(
        light_terms(GlossaryTerm.objects.filter(glossary__domain_id=asset.domain_id))
    )
    formset = ColumnRowFormSet(
        request.POST or None,
        prefix="columns",
        initial=[
            {
                "name": c.name,
                "business_name": c.business_name,
                "description": c.description,
                "terms": term_names.text(c.glossary_terms.all()),
            }
            for c in columns
        ],
        form_kwargs={"term_names": term_names},
    )
    if request.method == "POST" and formset.is_valid():
        items = [item for item in (f.service_item() for f in formset) if len(item) > 1]
        if not items:
            messages.info(request, "Nothing changed.")
            return redirect("asset-detail", pk=asset.pk)
        before = asset.current_revision
        try:
            updated = services.asset_columns_update(
                acting_user=request.user, asset=asset, columns=items
            )
        except ValidationError as error:
            _attach_column_errors(formset, error)
        else:
            if updated.current_revision == before:
                messages.info(request, "Nothing changed.")
            else:
                messages.success(
                    request,
                    f"Columns of “{updated.display_name}” saved; {_revision_note(updated)}.",
                )
            return redirect(f"{reverse('asset-detail', args=[asset.pk])}#columns")
    rows = []
    for form in formset:
        column = by_name.get(form["name"].value())
        rows.append({"form": form, "column": column, "anchor": f"column-{form.prefix}"})
    return render(
        request,
        "catalog/asset_columns_edit.html",
        {
            "asset": asset,
            "project": asset.project,
            "formset": formset,
            "rows": rows,
            "error_rows": [r for r in rows if r["form"].errors],
            "term_suggestions": term_names.suggestions(),
        },
        status=400 if formset.is_bound and not formset.is_valid() else 200,
    )


SERVICE_COLUMN_FIELDS = {"glossary_terms": "terms", "name": None}


def _attach_column_errors(formset, error: ValidationError) -> None:
    """The service's ``{"columns": {column name: {field: [messages]}}}`` onto the rows."""
    errors = _nested_errors(error, "columns")
    if not errors:
        formset._non_form_errors = formset.error_class(error.messages)
        return
    forms_by_name = {f.cleaned_data.get("name"): f for f in formset}
    for name, fields in errors.items():
        form = forms_by_name.get(name)
        if form is None:
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), f"Column {name}: the asset has no such column."]
            )
            continue
        for field, problems in (fields or {}).items():
            target = SERVICE_COLUMN_FIELDS.get(field, field)
            form.add_error(target if target in form.fields else None, problems)


def _form_type_for(asset, form_type_pk, *, attached: bool | None = None):
    """A form type of the asset's domain with its fields; 404 for any other. A form type
    that is not attached yet must be ENABLED to be added."""
    form_type = get_object_or_404(
        FormType.objects.filter(domain_id=asset.domain_id).prefetch_related(
            Prefetch(
                "fields", queryset=FormField.objects.select_related("glossary").order_by("order")
            )
        ),
        pk=form_type_pk,
    )
    asset_form = AssetForm.objects.filter(asset=asset, form_type=form_type).first()
    if asset_form is None and form_type.status != GlossaryStatus.ENABLED:
        raise Http404("This metadata form is disabled.")
    return form_type, asset_form


def _term_field_choices(form_fields, values) -> dict:
    """Per GLOSSARY_TERM field: the enabled terms of its glossary (one query for all),
    plus the current value if it has been disabled since (so it shows, and saving says
    why it no longer fits)."""
    term_fields = [f for f in form_fields if f.type == FieldType.GLOSSARY_TERM]
    if not term_fields:
        return {}
    current = {str(values.get(f.name)) for f in term_fields if values.get(f.name)}
    terms = GlossaryTerm.objects.filter(
        Q(
            glossary_id__in={f.glossary_id for f in term_fields},
            status=GlossaryStatus.ENABLED,
            glossary__status=GlossaryStatus.ENABLED,
        )
        | Q(pk__in=[v for v in current if _is_uuid(v)])
    ).select_related("glossary")
    choices = {}
    for field in term_fields:
        options = [("", "Choose a term…")]
        for term in sorted(terms, key=lambda t: t.name.lower()):
            if term.glossary_id == field.glossary_id and term.is_attachable:
                options.append((str(term.pk), term.name))
            elif str(term.pk) == str(values.get(field.name)):
                options.append((str(term.pk), f"{term.name} ({term.glossary.name}, disabled)"))
        choices[field.pk] = options
    return choices


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@require_safe
def asset_form_add(request, pk):
    """The "Add form" select (a GET form, so it works without JavaScript): go to the
    chosen form's page, where saving attaches it."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    chosen = request.GET.get("form_type", "")
    if not _is_uuid(chosen):
        messages.error(request, "Choose a metadata form to add.")
        return redirect(f"{reverse('asset-detail', args=[asset.pk])}#forms")
    return redirect("asset-form-edit", pk=asset.pk, form_type=chosen)


@require_http_methods(["GET", "POST"])
def asset_form_edit(request, pk, form_type):
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    form_type, asset_form = _form_type_for(asset, form_type)
    form_fields = list(form_type.fields.all())
    values = asset_form.values if asset_form else {}
    form = FormValuesForm(
        request.POST or None,
        form_fields=form_fields,
        values=values,
        term_choices=_term_field_choices(form_fields, values),
    )
    if request.method == "POST" and form.is_valid():
        before = asset.current_revision
        try:
            updated = services.asset_forms_update(
                acting_user=request.user,
                asset=asset,
                forms={str(form_type.pk): form.service_values()},
            )
        except ValidationError as error:
            problems = _nested_errors(error, "forms").get(form_type.name)
            if isinstance(problems, dict):
                form.attach(problems)
            else:
                form.add_error(None, error.messages)
        else:
            if updated.current_revision == before:
                messages.info(request, "Nothing changed.")
            else:
                verb = "saved" if asset_form else "added"
                messages.success(
                    request,
                    f"Form “{form_type.name}” {verb}; {_revision_note(updated)}.",
                )
            return redirect(f"{reverse('asset-detail', args=[asset.pk])}#forms")
    known = {f.name for f in form_fields}
    return render(
        request,
        "catalog/asset_form_edit.html",
        {
            "asset": asset,
            "project": asset.project,
            "form_type": form_type,
            "asset_form": asset_form,
            "form": form,
            "older_values": sorted(
                (name, value) for name, value in values.items() if name not in known
            ),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
def asset_form_remove(request, pk, form_type):
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    form_type, asset_form = _form_type_for(asset, form_type)
    if asset_form is None:
        messages.info(request, f"Form “{form_type.name}” is not on this asset.")
        return redirect(f"{reverse('asset-detail', args=[asset.pk])}#forms")
    updated = services.asset_forms_update(
        acting_user=request.user, asset=asset, forms={str(form_type.pk): None}
    )
    messages.success(
        request,
        f"Form “{form_type.name}” removed; revision {updated.current_revision} records it.",
    )
    return redirect(f"{reverse('asset-detail', args=[asset.pk])}#forms")


# --- Publishing -----------------------------------------------------------------------------


@require_POST
def asset_publish(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    form = PublishForm(request.POST)
    form.is_valid()  # a checkbox: always valid, absent means "open to all"
    was = selectors.listing_for_asset(asset=asset)
    try:
        listing = services.asset_publish(
            acting_user=request.user,
            asset=asset,
            approval_required=form.cleaned_data["approval_required"],
        )
    except Incomplete as refused:
        context = _asset_context(request, asset, publish_refused=refused, publish_form=form)
        return render(request, "catalog/asset_detail.html", context, status=400)
    again = was is not None and was.status == ListingStatus.ACTIVE
    access = "approval required" if listing.approval_required else "open to all"
    messages.success(
        request,
        f"“{listing.name}” {'published again' if again else 'published'} as revision "
        f"{listing.revision} ({access}). Everyone signed in can find it in the catalog.",
    )
    return redirect("asset-detail", pk=asset.pk)


@require_POST
def asset_unpublish(request, pk):
    asset = selectors.asset_get(user=request.user, pk=pk)
    try:
        listing = services.asset_unpublish(acting_user=request.user, asset=asset)
    except Conflict as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            f"“{listing.name}” unpublished: it no longer appears in the catalog. Existing "
            "subscriptions are not affected.",
        )
    return redirect("asset-detail", pk=asset.pk)


@require_safe
def asset_revision(request, pk, revision):
    """One revision compared with the one before it, field by field."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    current = get_object_or_404(selectors.revision_list(asset=asset), revision=revision)
    previous = selectors.revision_list(asset=asset).filter(revision__lt=revision).first()
    return render(
        request,
        "catalog/asset_revision.html",
        {
            "asset": asset,
            "project": asset.project,
            "revision": current,
            "previous": previous,
            "differences": snapshot_differences(
                previous.snapshot if previous else {}, current.snapshot
            ),
            "newer": selectors.revision_list(asset=asset)
            .filter(revision__gt=revision)
            .order_by("revision")
            .values_list("revision", flat=True)
            .first(),
        },
    )


# --- Listings and the catalog ---------------------------------------------------------------

CATALOG_PAGE_SIZE = 25


@require_safe
def listing_detail(request, pk):
    listing = selectors.listing_get(user=request.user, pk=pk)
    snapshot = listing.snapshot or {}
    is_owner_team = project_designation(request.user, listing.project) is not None
    return render(
        request,
        "catalog/listing_detail.html",
        {
            "listing": listing,
            "snapshot": snapshot,
            "description_html": render_markdown(snapshot.get("description")),
            "columns": snapshot.get("columns") or [],
            "forms": snapshot.get("forms") or [],
            "glossary_terms": snapshot.get("glossary_terms") or [],
            "is_owner_team": is_owner_team,
            "unpublished_changes": is_owner_team
            and listing.asset.current_revision > listing.revision,
        },
    )


@require_safe
def catalog(request):
    listings = selectors.listing_list(user=request.user).filter(status=ListingStatus.ACTIVE)
    return render(
        request,
        "catalog/catalog.html",
        {"page": _page(request, listings, CATALOG_PAGE_SIZE)},
    )


TERM_ASSET_LIMIT = 50


@require_safe
def term_assets(request, pk):
    """What carries a glossary term: inventory assets and columns the user may see, and
    published listings. A fragment for the term page (htmx), a page of its own otherwise."""
    term = get_object_or_404(
        glossary_selectors.term_list(user=request.user).prefetch_related(None), pk=pk
    )
    assets, columns = selectors.assets_carrying_term(user=request.user, term=term)
    term_ref = [{"id": str(term.pk)}]
    listings = (
        selectors.listing_list(user=request.user)
        .filter(status=ListingStatus.ACTIVE)
        .filter(
            Q(snapshot__glossary_terms__contains=term_ref)
            | Q(snapshot__columns__contains=[{"glossary_terms": term_ref}])
        )
    )
    context = {
        "term": term,
        "glossary": term.glossary,
        "assets": list(assets[:TERM_ASSET_LIMIT]),
        "asset_count": assets.count(),
        "columns": list(columns[:TERM_ASSET_LIMIT]),
        "column_count": columns.count(),
        "listings": list(listings[:TERM_ASSET_LIMIT]),
        "listing_count": listings.count(),
        "limit": TERM_ASSET_LIMIT,
    }
    template = (
        "catalog/_term_assets.html" if is_htmx_partial(request) else "catalog/term_assets.html"
    )
    return render(request, template, context)
