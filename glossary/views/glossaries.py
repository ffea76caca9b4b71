"""Pages of glossaries: list, create, detail with the term tree, edit, status, CSV."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meshportal.forms import form_page, success_redirect
from meshportal.htmx import is_htmx_partial

from .. import selectors, services
from ..choices import GlossaryStatus
from ..filters import GlossaryFilterSet, GlossaryTermFilterSet
from ..forms import (
    CsvImportForm,
    GlossaryCreateForm,
    GlossaryEditForm,
)
from ..models import GlossaryTerm
from ..permissions import can_manage_owned, require_manage_owned, require_some_owned_project
from ..selectors import term_tree
from .helpers import MAX_CSV_BYTES, TERM_PAGE_SIZE, _page, vocabulary_list


@require_safe
def glossary_list(request):
    return vocabulary_list(
        request,
        filterset_class=GlossaryFilterSet,
        queryset=selectors.glossary_list(user=request.user),
        template="glossary/glossary_list.html",
        section="glossaries",
    )


@require_http_methods(["GET", "POST"])
def glossary_create(request):
    projects = selectors.manageable_project_list(user=request.user)
    require_some_owned_project(projects, "create glossaries")
    form = GlossaryCreateForm(request.POST or None, projects=projects)

    def save(form):
        return services.glossary_create(acting_user=request.user, **form.service_kwargs())

    created = success_redirect(
        request,
        lambda glossary: f"Glossary “{glossary.name}” created. Add its terms next.",
        "glossary-detail",
    )

    if request.method == "GET" and request.GET.get("project"):
        form.initial["owning_project"] = request.GET["project"]
    return form_page(
        request, form, save, created, "glossary/glossary_form.html", {"creating": True}
    )


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
        tree=term_tree(terms, list(edges)),
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

    def save(form):
        return services.glossary_update(
            acting_user=request.user, glossary=glossary, **form.cleaned_data
        )

    saved = success_redirect(request, "Glossary saved.", "glossary-detail")

    return form_page(
        request,
        form,
        save,
        saved,
        "glossary/glossary_form.html",
        {"glossary": glossary, "creating": False},
    )


@require_POST
def glossary_status(request, pk):
    glossary = selectors.glossary_get(user=request.user, pk=pk)
    wanted = request.POST.get("status", "")
    if wanted not in GlossaryStatus.values:
        messages.error(request, "Choose ENABLED or DISABLED.")
        return redirect("glossary-detail", pk=glossary.pk)
    services.glossary_update(acting_user=request.user, glossary=glossary, status=wanted)
    if wanted == GlossaryStatus.DISABLED:
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

    def save(form):
        upload = form.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.")
        return upload, services.glossary_import_csv(
            acting_user=request.user, glossary=glossary, content=upload.read()
        )

    def imported(outcome):
        upload, result = outcome
        messages.success(
            request,
            f"Imported “{upload.name}”: {result['created']} created, "
            f"{result['updated']} updated, {result['unchanged']} unchanged.",
        )
        return redirect("glossary-detail", pk=glossary.pk)

    # The file's problems (one per line) are the form's non-field errors.
    return form_page(
        request,
        form,
        save,
        imported,
        "glossary/glossary_import.html",
        {"glossary": glossary},
    )
