"""Pages of metadata form types and their field builder."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from meshportal.forms import form_page, success_redirect

from .. import selectors, services
from ..filters import FormTypeFilterSet
from ..forms import (
    FormTypeCreateForm,
    FormTypeEditForm,
    field_row_formset,
    initial_rows,
)
from ..models import Glossary
from ..permissions import can_manage_owned, require_manage_owned, require_some_owned_project
from .helpers import vocabulary_list


@require_safe
def form_type_list(request):
    return vocabulary_list(
        request,
        filterset_class=FormTypeFilterSet,
        queryset=selectors.form_type_list(user=request.user),
        template="glossary/form_type_list.html",
        section="forms",
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


def _builder_page(request, form, rows, save, done, context: dict):
    """The form builder page: the form and its field rows, valid together, then
    ``save(fields)``; a service's "Field N: …" errors go onto the N-th kept row."""
    return form_page(
        request,
        form,
        lambda form: save([row.service_kwargs() for row in rows.kept_forms()]),
        done,
        "glossary/form_type_form.html",
        {"rows": rows, **context},
        attach=lambda form, error: _attach_field_errors(form, rows.kept_forms(), error),
        also=[rows],
    )


@require_http_methods(["GET", "POST"])
def form_type_create(request):
    projects = selectors.manageable_project_list(user=request.user)
    require_some_owned_project(projects, "create metadata forms")
    domain_ids = {p.domain_id for p in projects}
    glossaries = Glossary.objects.filter(domain_id__in=domain_ids).select_related("domain")
    form = FormTypeCreateForm(request.POST or None, projects=projects)
    rows = _field_rows(request, glossaries=glossaries, show_domain=len(domain_ids) > 1, extra=3)

    def save(fields):
        return services.form_type_create(
            acting_user=request.user, fields=fields, **form.service_kwargs()
        )

    created = success_redirect(
        request, lambda form_type: f"Form “{form_type.name}” created.", "form-type-detail"
    )

    return _builder_page(request, form, rows, save, created, {"creating": True})


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
    revision = form_type.revision

    def save(fields):
        return services.form_type_update(
            acting_user=request.user, form_type=form_type, **form.cleaned_data, fields=fields
        )

    def saved(result):
        if result.revision != revision:
            messages.success(
                request,
                f"Form “{result.name}” saved as revision {result.revision}. Values filled "
                f"under revision {revision} stay readable.",
            )
        else:
            messages.success(request, f"Form “{result.name}” saved.")
        return redirect("form-type-detail", pk=result.pk)

    return _builder_page(
        request, form, rows, save, saved, {"form_type": form_type, "creating": False}
    )
