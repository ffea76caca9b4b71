"""Pages of glossary terms: create, detail, edit."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from meshportal.forms import form_page, success_redirect
from meshportal.markdown import render_markdown

from .. import selectors, services
from ..forms import TermForm
from ..models import GlossaryTerm
from ..permissions import can_manage_owned, require_manage_owned
from ..queries import TERM_HEAVY_FIELDS


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

    def save(form):
        return services.term_create(
            acting_user=request.user, glossary=glossary, **_term_values(form)
        )

    def created(term):
        messages.success(request, f"Term “{term.name}” added to {glossary.name}.")
        if "add_another" in request.POST:
            return redirect("term-create", pk=glossary.pk)
        return redirect("term-detail", pk=term.pk)

    return form_page(
        request,
        form,
        save,
        created,
        "glossary/term_form.html",
        {"glossary": glossary, "creating": True},
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

    def save(form):
        return services.term_update(acting_user=request.user, term=term, **_term_values(form))

    saved = success_redirect(request, lambda term: f"Term “{term.name}” saved.", "term-detail")

    return form_page(
        request,
        form,
        save,
        saved,
        "glossary/term_form.html",
        {"glossary": glossary, "term": term, "creating": False},
    )
