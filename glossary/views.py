"""Pages of the glossary app: glossaries and their terms, metadata forms, publishing rules.

A domain's vocabulary is readable by everyone signed in. Views are thin: they read
through the selectors, validate a form, call a service, and render or redirect. The
services decide who may change what (PermissionDenied → the 403 page) and what is valid
(ValidationError → shown on the form, never a 500).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meshportal.markdown import render_markdown
from projects import selectors as project_selectors
from projects.forms import attach_service_errors
from projects.permissions import is_domain_steward
from projects.views import is_htmx_partial

from . import selectors, services
from .choices import Status
from .filters import FormTypeFilterSet, GlossaryFilterSet, GlossaryTermFilterSet
from .forms import (
    CsvImportForm,
    FormTypeCreateForm,
    FormTypeEditForm,
    GlossaryCreateForm,
    GlossaryEditForm,
    PublishingRuleForm,
    TermForm,
    field_row_formset,
    initial_rows,
)
from .models import FormType, Glossary, GlossaryTerm
from .permissions import can_manage_owned, require_domain_steward, require_manage_owned
from .queries import TERM_HEAVY_FIELDS

PAGE_SIZE = 25
TERM_PAGE_SIZE = 50
MAX_CSV_BYTES = 10 * 1024 * 1024


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _status(form, error):
    return 400 if form.is_bound and (form.errors or error) else 200


def _require_some_project(projects, action: str) -> None:
    if not projects.exists():
        raise PermissionDenied(
            f"Only the stewards and owners of a domain, or the owners of one of its projects, "
            f"can {action}."
        )


# --- Glossaries -------------------------------------------------------------------------


@require_safe
def glossary_list(request):
    filterset = GlossaryFilterSet(
        request.GET or None, queryset=selectors.glossary_list(user=request.user)
    )
    form = filterset.form
    form.fields["domain"] = _domain_filter_field(request.user)
    form.fields["status"] = _select("Status", [("", "Any status"), *Status.choices])
    return render(
        request,
        "glossary/glossary_list.html",
        {
            "filterset": filterset,
            "page": _page(request, filterset.qs),
            "filtered": any(request.GET.get(k) for k in ("domain", "status")),
            "can_create": selectors.manageable_project_list(user=request.user).exists(),
            "section": "glossaries",
        },
    )


def _select(label, choices) -> forms.ChoiceField:
    field = forms.ChoiceField(required=False, label=label, choices=choices)
    field.widget.attrs["class"] = "input input--select"
    return field


def _domain_filter_field(user) -> forms.ChoiceField:
    """The FilterSet's domain (a UUID) as a select of the domains, by name."""
    domains = project_selectors.domain_list(user=user)
    return _select("Domain", [("", "All domains"), *((str(d.pk), d.name) for d in domains)])


@require_http_methods(["GET", "POST"])
def glossary_create(request):
    projects = selectors.manageable_project_list(user=request.user)
    _require_some_project(projects, "create glossaries")
    form = GlossaryCreateForm(request.POST or None, projects=projects)
    error = None
    if request.method == "POST" and form.is_valid():
        project = form.cleaned_data["owning_project"]
        try:
            glossary = services.glossary_create(
                acting_user=request.user,
                domain=project.domain,
                owning_project=project,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            error = exc
            attach_service_errors(form, exc)
        else:
            messages.success(request, f"Glossary “{glossary.name}” created. Add its terms next.")
            return redirect("glossary-detail", pk=glossary.pk)
    if request.method == "GET" and request.GET.get("project"):
        form.initial["owning_project"] = request.GET["project"]
    return render(
        request,
        "glossary/glossary_form.html",
        {"form": form, "creating": True},
        status=_status(form, error),
    )


def _term_tree(terms, edges) -> list[dict]:
    """The glossary's terms as a forest by ``is_a``.

    Roots are the terms without a broader term in this glossary; each child sits under
    every one of its parents. ``edges`` are (narrower id, broader id) pairs. The services
    keep is_a acyclic; the walk still refuses to revisit a term on its own path.
    """
    by_id = {t.pk: t for t in terms}
    children: dict = {}
    has_parent = set()
    for child_id, parent_id in edges:
        if child_id in by_id and parent_id in by_id:
            children.setdefault(parent_id, []).append(by_id[child_id])
            has_parent.add(child_id)
    for kids in children.values():
        kids.sort(key=lambda t: t.name.lower())

    def node(term, path):
        path = path | {term.pk}
        return {
            "term": term,
            "children": [node(c, path) for c in children.get(term.pk, []) if c.pk not in path],
        }

    roots = [t for t in terms if t.pk not in has_parent]
    return [node(t, frozenset()) for t in sorted(roots, key=lambda t: t.name.lower())]


@require_safe
def glossary_detail(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    filterset = GlossaryTermFilterSet(request.GET or None, queryset=glossary.terms.order_by("name"))
    page = _page(request, filterset.qs, TERM_PAGE_SIZE)
    context = {
        "glossary": glossary,
        "filterset": filterset,
        "page": page,
        "query": request.GET.get("q", ""),
    }
    if is_htmx_partial(request):
        return render(request, "glossary/_term_table.html", context)
    terms = list(glossary.terms.order_by("name"))
    edges = GlossaryTerm.is_a.through.objects.filter(
        from_glossaryterm__glossary=glossary
    ).values_list("from_glossaryterm_id", "to_glossaryterm_id")
    context.update(
        can_manage=can_manage_owned(request.user, glossary.domain, glossary.owning_project),
        tree=_term_tree(terms, list(edges)),
        term_total=len(terms),
        import_form=CsvImportForm(),
    )
    return render(request, "glossary/glossary_detail.html", context)


@require_http_methods(["GET", "POST"])
def glossary_edit(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    require_manage_owned(
        request.user, glossary.domain, glossary.owning_project, "change this glossary"
    )
    form = GlossaryEditForm(
        request.POST or None,
        initial={
            "name": glossary.name,
            "description": glossary.description,
            "status": glossary.status,
        },
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.glossary_update(
                acting_user=request.user, glossary=glossary, **form.cleaned_data
            )
        except ValidationError as exc:
            error = exc
            attach_service_errors(form, exc)
        else:
            messages.success(request, "Glossary saved.")
            return redirect("glossary-detail", pk=glossary.pk)
    return render(
        request,
        "glossary/glossary_form.html",
        {"form": form, "glossary": glossary, "creating": False},
        status=_status(form, error),
    )


@require_POST
def glossary_status(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    wanted = request.POST.get("status", "")
    if wanted not in Status.values:
        messages.error(request, "Choose ENABLED or DISABLED.")
        return redirect("glossary-detail", pk=glossary.pk)
    services.glossary_update(acting_user=request.user, glossary=glossary, status=wanted)
    if wanted == Status.DISABLED:
        messages.success(
            request,
            f"Glossary “{glossary.name}” disabled: its terms can no longer be newly attached.",
        )
    else:
        messages.success(request, f"Glossary “{glossary.name}” enabled.")
    return redirect("glossary-detail", pk=glossary.pk)


@require_safe
def glossary_export(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    response = HttpResponse(
        services.glossary_export_csv(glossary=glossary), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{glossary.name}.csv"
    )
    return response


@require_http_methods(["GET", "POST"])
def glossary_import(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    require_manage_owned(
        request.user, glossary.domain, glossary.owning_project, "import terms into it"
    )
    form = (
        CsvImportForm(request.POST, request.FILES) if request.method == "POST" else CsvImportForm()
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            errors = [f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB."]
        else:
            try:
                result = services.glossary_import_csv(
                    acting_user=request.user, glossary=glossary, content=upload.read()
                )
            except services.CsvImportError as error:
                errors = error.messages
            else:
                messages.success(
                    request,
                    f"Imported “{upload.name}”: {result['created']} created, "
                    f"{result['updated']} updated, {result['unchanged']} unchanged.",
                )
                return redirect("glossary-detail", pk=glossary.pk)
    return render(
        request,
        "glossary/glossary_import.html",
        {"glossary": glossary, "form": form, "errors": errors},
        status=400 if request.method == "POST" and (errors or form.errors) else 200,
    )


# --- Terms ------------------------------------------------------------------------------


def _domain_terms(domain, exclude=None):
    terms = (
        GlossaryTerm.objects.filter(glossary__domain=domain)
        .select_related("glossary")
        .defer(*TERM_HEAVY_FIELDS)
        .order_by("glossary__name", "name")
    )
    return terms.exclude(pk=exclude.pk) if exclude is not None else terms


def _term_values(form) -> dict:
    data = dict(form.cleaned_data)
    data["is_a"] = [t.pk for t in data["is_a"]]
    data["classifies"] = [t.pk for t in data["classifies"]]
    return data


@require_http_methods(["GET", "POST"])
def term_create(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    require_manage_owned(
        request.user, glossary.domain, glossary.owning_project, "add terms to this glossary"
    )
    initial = {"is_a": request.GET.getlist("is_a")} if request.GET.get("is_a") else {}
    form = TermForm(
        request.POST or None, initial=initial, domain_terms=_domain_terms(glossary.domain)
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(
                acting_user=request.user, glossary=glossary, **_term_values(form)
            )
        except ValidationError as exc:
            error = exc
            attach_service_errors(form, exc)
        else:
            messages.success(request, f"Term “{term.name}” added to {glossary.name}.")
            if "add_another" in request.POST:
                return redirect("term-create", pk=glossary.pk)
            return redirect("term-detail", pk=term.pk)
    return render(
        request,
        "glossary/term_form.html",
        {"form": form, "glossary": glossary, "creating": True},
        status=_status(form, error),
    )


@require_safe
def term_detail(request, pk):
    term = selectors.term_get(user=request.user, pk=pk)
    glossary = term.glossary
    return render(
        request,
        "glossary/term_detail.html",
        {
            "term": term,
            "glossary": glossary,
            "can_manage": can_manage_owned(request.user, glossary.domain, glossary.owning_project),
            "long_description_html": render_markdown(term.long_description),
            "broader": sorted(term.is_a.all(), key=lambda t: t.name.lower()),
            "narrower": sorted(term.narrower_terms.all(), key=lambda t: t.name.lower()),
            "classifies": sorted(term.classifies.all(), key=lambda t: t.name.lower()),
            "classified_by": sorted(term.classified_by.all(), key=lambda t: t.name.lower()),
        },
    )


@require_http_methods(["GET", "POST"])
def term_edit(request, pk):
    term = selectors.term_get(user=request.user, pk=pk)
    glossary = term.glossary
    require_manage_owned(
        request.user, glossary.domain, glossary.owning_project, "change terms of this glossary"
    )
    form = TermForm(
        request.POST or None,
        initial={
            "name": term.name,
            "short_description": term.short_description,
            "long_description": term.long_description,
            "synonyms": f"{services.LIST_SEPARATOR} ".join(term.synonyms),
            "is_a": [t.pk for t in term.is_a.all()],
            "classifies": [t.pk for t in term.classifies.all()],
            "status": term.status,
        },
        domain_terms=_domain_terms(glossary.domain, exclude=term),
    )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.term_update(acting_user=request.user, term=term, **_term_values(form))
        except ValidationError as exc:
            error = exc
            attach_service_errors(form, exc)
        else:
            messages.success(request, f"Term “{term.name}” saved.")
            return redirect("term-detail", pk=term.pk)
    return render(
        request,
        "glossary/term_form.html",
        {"form": form, "glossary": glossary, "term": term, "creating": False},
        status=_status(form, error),
    )


# --- Metadata forms ---------------------------------------------------------------------


@require_safe
def form_type_list(request):
    filterset = FormTypeFilterSet(
        request.GET or None, queryset=selectors.form_type_list(user=request.user)
    )
    form = filterset.form
    form.fields["domain"] = _domain_filter_field(request.user)
    form.fields["status"] = _select("Status", [("", "Any status"), *Status.choices])
    return render(
        request,
        "glossary/form_type_list.html",
        {
            "filterset": filterset,
            "page": _page(request, filterset.qs),
            "filtered": any(request.GET.get(k) for k in ("domain", "status")),
            "can_create": selectors.manageable_project_list(user=request.user).exists(),
            "section": "forms",
        },
    )


def _field_rows(request, *, glossaries, show_domain, initial=None, extra):
    FormSet = field_row_formset(extra=extra)
    return FormSet(
        request.POST or None,
        initial=initial,
        prefix="fields",
        form_kwargs={"glossaries": glossaries, "show_domain": show_domain},
    )


def _attach_field_errors(form, kept, error: ValidationError) -> None:
    """Service errors on "Field N: …" go to the N-th kept row; the rest to the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, problems in error.message_dict.items():
        if field != "fields":
            form.add_error(field if field in form.fields else None, problems)
            continue
        for problem in problems:
            head, _, rest = problem.partition(":")
            number = head.removeprefix("Field ").strip()
            if head.startswith("Field ") and number.isdigit() and 0 < int(number) <= len(kept):
                kept[int(number) - 1].add_error(None, rest.strip())
            else:
                form.add_error(None, problem)


def _form_builder(*, form, rows, save):
    """Validate the form and its rows and call ``save(fields)``: the saved form type, or
    None with the problems attached to the form and its rows."""
    form_ok, rows_ok = form.is_valid(), rows.is_valid()
    if not (form_ok and rows_ok):
        return None
    kept = rows.kept_forms()
    try:
        return save([row.as_service_field() for row in kept])
    except ValidationError as error:
        _attach_field_errors(form, kept, error)
        return None


@require_http_methods(["GET", "POST"])
def form_type_create(request):
    projects = selectors.manageable_project_list(user=request.user)
    _require_some_project(projects, "create metadata forms")
    domain_ids = {p.domain_id for p in projects}
    glossaries = Glossary.objects.filter(domain_id__in=domain_ids).select_related("domain")
    form = FormTypeCreateForm(request.POST or None, projects=projects)
    rows = _field_rows(request, glossaries=glossaries, show_domain=len(domain_ids) > 1, extra=3)
    result = None
    if request.method == "POST":

        def save(fields):
            project = form.cleaned_data["owning_project"]
            return services.form_type_create(
                acting_user=request.user,
                domain=project.domain,
                owning_project=project,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                fields=fields,
            )

        result = _form_builder(form=form, rows=rows, save=save)
        if result is not None:
            messages.success(request, f"Form “{result.name}” created.")
            return redirect("form-type-detail", pk=result.pk)
    return render(
        request,
        "glossary/form_type_form.html",
        {"form": form, "rows": rows, "creating": True},
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def form_type_detail(request, pk):
    form_type = selectors.form_type_get(user=request.user, pk=pk)
    return render(
        request,
        "glossary/form_type_detail.html",
        {
            "form_type": form_type,
            "fields": list(form_type.fields.all()),
            "can_manage": can_manage_owned(
                request.user, form_type.domain, form_type.owning_project
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def form_type_edit(request, pk):
    form_type = selectors.form_type_get(user=request.user, pk=pk)
    require_manage_owned(
        request.user, form_type.domain, form_type.owning_project, "change this metadata form"
    )
    glossaries = Glossary.objects.filter(domain=form_type.domain).select_related("domain")
    form = FormTypeEditForm(
        request.POST or None,
        initial={
            "name": form_type.name,
            "description": form_type.description,
            "status": form_type.status,
        },
    )
    rows = _field_rows(
        request,
        glossaries=glossaries,
        show_domain=False,
        initial=initial_rows(form_type),
        extra=1,
    )
    if request.method == "POST":
        revision = form_type.revision

        def save(fields):
            return services.form_type_update(
                acting_user=request.user, form_type=form_type, **form.cleaned_data, fields=fields
            )

        result = _form_builder(form=form, rows=rows, save=save)
        if result is not None:
            if result.revision != revision:
                messages.success(
                    request,
                    f"Form “{result.name}” saved as revision {result.revision}. Values filled "
                    f"under revision {revision} stay readable.",
                )
            else:
                messages.success(request, f"Form “{result.name}” saved.")
            return redirect("form-type-detail", pk=result.pk)
    return render(
        request,
        "glossary/form_type_form.html",
        {"form": form, "rows": rows, "form_type": form_type, "creating": False},
        status=400 if request.method == "POST" else 200,
    )


# --- Publishing rules -------------------------------------------------------------------


@require_safe
def publishing_rule_list(request):
    return render(
        request,
        "glossary/publishing_rule_list.html",
        {
            "domains": selectors.publishing_rule_by_domain_list(user=request.user),
            "section": "rules",
        },
    )


@require_http_methods(["GET", "POST"])
def publishing_rule(request, pk):
    domain = project_selectors.domain_get(user=request.user, pk=pk)
    rule = selectors.publishing_rule_for(domain=domain)
    can_edit = is_domain_steward(request.user, domain)
    if request.method == "POST" and not can_edit:
        require_domain_steward(request.user, domain, "set publishing rules")
    form_types = FormType.objects.filter(domain=domain).order_by("name")
    terms = _domain_terms(domain)
    form = None
    if can_edit:
        form = PublishingRuleForm(
            request.POST if request.method == "POST" else None,
            initial={
                "required_form_types": [f.pk for f in rule.required_form_types.all()]
                if rule
                else [],
                "required_glossary_terms": [t.pk for t in rule.required_glossary_terms.all()]
                if rule
                else [],
                "description": rule.description if rule else "",
            },
            form_types=form_types,
            terms=terms,
        )
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.publishing_rule_set(
                acting_user=request.user,
                domain=domain,
                required_form_types=[f.pk for f in form.cleaned_data["required_form_types"]],
                required_glossary_terms=[
                    t.pk for t in form.cleaned_data["required_glossary_terms"]
                ],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            error = exc
            attach_service_errors(form, exc)
        else:
            messages.success(request, f"Publishing rule of {domain.name} saved.")
            return redirect("publishing-rule", pk=domain.pk)
    return render(
        request,
        "glossary/publishing_rule.html",
        {
            "domain": domain,
            "rule": rule,
            "form": form,
            "can_edit": can_edit,
            "has_form_types": form_types.exists() if can_edit else False,
            "required_forms": sorted(rule.required_form_types.all(), key=lambda f: f.name.lower())
            if rule
            else [],
            "required_terms": sorted(
                rule.required_glossary_terms.all(), key=lambda t: t.name.lower()
            )
            if rule
            else [],
        },
        status=_status(form, error) if form is not None else 200,
    )
