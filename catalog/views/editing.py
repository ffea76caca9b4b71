"""Editing an asset's business metadata: names, descriptions, terms, columns, forms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from glossary.choices import GlossaryStatus
from glossary.models import ATTACHABLE_TERMS, FormField, FormType, GlossaryTerm
from glossary.queries import TERM_HEAVY_FIELDS, light_terms
from meshportal.forms import form_status, handle_form
from meshportal.markdown import render_markdown
from projects.choices import Designation
from projects.permissions import require_designation

from .. import selectors, services
from ..forms import (
    AssetEditForm,
    ColumnRowFormSet,
    FormValuesForm,
    TermNames,
)
from ..models import AssetForm
from ..selectors import is_uuid, term_field_choices


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
        .filter(ATTACHABLE_TERMS | Q(pk__in=[t.pk for t in attached]))
        .select_related("glossary")
        .defer(*TERM_HEAVY_FIELDS)
        .order_by("glossary__name", "name")
    )


def _revision_message(request, updated, before: int, done: str) -> None:
    """ "Nothing changed." when the save wrote no revision, else what was saved and the
    revision that records it."""
    if updated.current_revision == before:
        messages.info(request, "Nothing changed.")
    else:
        messages.success(
            request, f"{done}; revision {updated.current_revision} records the change."
        )


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
    before = asset.current_revision

    def save(form):
        return services.asset_update(
            acting_user=request.user,
            asset=asset,
            business_name=form.cleaned_data["business_name"],
            description=form.cleaned_data["description"],
            glossary_terms=form.cleaned_data["glossary_terms"],
        )

    def saved(updated):
        _revision_message(request, updated, before, f"“{updated.display_name}” saved")
        return redirect("asset-detail", pk=asset.pk)

    return handle_form(request, form, save, saved) or render(
        request,
        "catalog/asset_edit.html",
        {
            "asset": asset,
            "project": asset.project,
            "form": form,
            "description_html": render_markdown(asset.description),
        },
        status=form_status(form),
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
    before = asset.current_revision

    def save(formset):
        items = [item for item in (f.service_kwargs() for f in formset) if len(item) > 1]
        if not items:
            return None  # nothing typed: no revision
        return services.asset_columns_update(acting_user=request.user, asset=asset, columns=items)

    def saved(updated):
        if updated is None:
            messages.info(request, "Nothing changed.")
            return redirect("asset-detail", pk=asset.pk)
        _revision_message(request, updated, before, f"Columns of “{updated.display_name}” saved")
        return redirect(f"{reverse('asset-detail', args=[asset.pk])}#columns")

    response = handle_form(request, formset, save, saved, attach=_attach_column_errors)
    if response is not None:
        return response
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
        status=form_status(formset),
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


@require_safe
def asset_form_add(request, pk):
    """The "Add form" select (a GET form, so it works without JavaScript): go to the
    chosen form's page, where saving attaches it."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    chosen = request.GET.get("form_type", "")
    if not is_uuid(chosen):
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
        term_choices=term_field_choices(form_fields, values),
    )
    before = asset.current_revision

    def save(form):
        return services.asset_forms_update(
            acting_user=request.user, asset=asset, forms={str(form_type.pk): form.service_kwargs()}
        )

    def attach(form, error):
        problems = _nested_errors(error, "forms").get(form_type.name)
        if isinstance(problems, dict):
            form.attach_label_errors(problems)
        else:
            form.add_error(None, error.messages)

    def saved(updated):
        verb = "saved" if asset_form else "added"
        _revision_message(request, updated, before, f"Form “{form_type.name}” {verb}")
        return redirect(f"{reverse('asset-detail', args=[asset.pk])}#forms")

    response = handle_form(request, form, save, saved, attach=attach)
    if response is not None:
        return response
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
        status=form_status(form),
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
