"""Editing an asset's business metadata: names, descriptions, terms, columns, forms."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Prefetch, Value, When, prefetch_related_objects
from django.db.models.functions import Lower
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from glossary.choices import GlossaryStatus
from glossary.models import ATTACHABLE_TERMS, FormField, FormType, GlossaryTerm
from glossary.queries import light_terms
from meshportal.forms import form_page, form_status, handle_form, service_error_text
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


TERM_OPTIONS_DEFAULT, TERM_OPTIONS_MAX, TERM_QUERY_MAX = 10, 20, 100


@require_safe
def asset_term_options(request, pk):
    """What the glossary-term picker offers as a person types: the asset's domain's
    attachable terms whose name contains ``q`` (names starting with it first), at most
    ``limit``. JSON ``{"q", "terms": [{id, label, name, glossary}]}``; ``label`` is what
    the picker writes (``Genre (Media)`` when two glossaries have a "Genre"). Two small
    queries; term descriptions are never read."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    text = " ".join((request.GET.get("q") or "").split())
    raw_limit = request.GET.get("limit") or str(TERM_OPTIONS_DEFAULT)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= TERM_OPTIONS_MAX:
        return JsonResponse({"limit": [f"Give a number from 1 to {TERM_OPTIONS_MAX}."]}, status=400)
    if len(text) > TERM_QUERY_MAX:
        return JsonResponse({"q": [f"Use at most {TERM_QUERY_MAX} characters."]}, status=400)
    domain_terms = GlossaryTerm.objects.filter(glossary__domain_id=asset.domain_id)
    terms = domain_terms.filter(ATTACHABLE_TERMS)
    if text:
        terms = terms.filter(name__icontains=text).annotate(
            later=Case(When(name__istartswith=text, then=Value(0)), default=Value(1))
        )
    else:
        terms = terms.annotate(later=Value(0))
    found = list(
        terms.order_by("later", Lower("name"), "glossary__name").values(
            "id", "name", "glossary__name"
        )[: int(raw_limit)]
    )
    shared = (
        set(
            domain_terms.annotate(name_lower=Lower("name"))
            .filter(name_lower__in={row["name"].lower() for row in found})
            .values("name_lower")
            .annotate(glossaries=Count("id"))
            .filter(glossaries__gt=1)
            .values_list("name_lower", flat=True)
        )
        if found
        else set()
    )
    return JsonResponse(
        {
            "q": text,
            "terms": [
                {
                    "id": str(row["id"]),
                    "name": row["name"],
                    "glossary": row["glossary__name"],
                    "label": f"{row['name']} ({row['glossary__name']})"
                    if row["name"].lower() in shared
                    else row["name"],
                }
                for row in found
            ],
        }
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
    try:
        term_names = TermNames.for_domain(
            asset.domain_id, terms=attached, texts=[request.POST.get("glossary_terms", "")]
        )
    except ValidationError as error:
        return HttpResponseBadRequest(service_error_text(error))
    form = AssetEditForm(
        request.POST or None,
        term_names=term_names,
        search_url=reverse("asset-term-options", args=[asset.pk]),
        initial={
            "business_name": asset.business_name,
            "description": asset.description,
            "glossary_terms": term_names.text(attached),
        },
    )
    before = asset.current_revision

    def save(form):
        return services.asset_update(acting_user=request.user, asset=asset, **form.service_kwargs())

    def saved(updated):
        _revision_message(request, updated, before, f"“{updated.display_name}” saved")
        return redirect("asset-detail", pk=asset.pk)

    return form_page(
        request,
        form,
        save,
        saved,
        "catalog/asset_edit.html",
        {"asset": asset, "project": asset.project},
    )


@require_http_methods(["GET", "POST"])
def asset_columns_edit(request, pk):
    """Business names, descriptions and terms of every column on one page. Terms use the
    same picker as the asset (chips, server-side search; names separated by commas
    without JavaScript): only the terms named on the page are read, however big the
    domain's glossaries are."""
    asset = selectors.asset_get(user=request.user, pk=pk)
    require_designation(request.user, asset.project, Designation.CONTRIBUTOR, "edit assets")
    columns = list(asset.columns.all())
    prefetch_related_objects(
        columns,
        Prefetch("glossary_terms", queryset=light_terms()),
    )
    by_name = {c.name: c for c in columns}
    try:
        term_names = TermNames.for_domain(
            asset.domain_id,
            terms={t for c in columns for t in c.glossary_terms.all()},
            texts=[
                value
                for key, value in request.POST.items()
                if key.startswith("columns-") and key.endswith("-terms")
            ],
        )
    except ValidationError as error:
        return HttpResponseBadRequest(service_error_text(error))
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
        form_kwargs={
            "term_names": term_names,
            "search_url": reverse("asset-term-options", args=[asset.pk]),
        },
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
