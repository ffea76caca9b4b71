"""What every glossary page module shares: page sizes, pagination, the section's lists."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render

from projects import selectors as project_selectors

from .. import selectors
from ..choices import GlossaryStatus

PAGE_SIZE = 25


TERM_PAGE_SIZE = 50


MAX_CSV_BYTES = 10 * 1024 * 1024


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _select(label, choices, width="") -> forms.ChoiceField:
    """A filter bar's select; ``width`` ("narrow", "grow") sizes it in the bar."""
    field = forms.ChoiceField(required=False, label=label, choices=choices)
    field.widget.attrs["class"] = "input input--select"
    field.filter_width = width
    return field


def _domain_filter_field(user) -> forms.ChoiceField:
    """The FilterSet's domain (a UUID) as a select of the domains, by name."""
    domains = project_selectors.domain_list(user=user)
    return _select("Domain", [("", "All domains"), *((str(d.pk), d.name) for d in domains)])


def vocabulary_list(request, *, filterset_class, queryset, template: str, section: str):
    """A list of the glossary section (glossaries, metadata forms): filtered by domain and
    status, paginated, with "Create" for those who own a project to create it under."""
    filterset = filterset_class(request.GET or None, queryset=queryset)
    form = filterset.form
    form.fields["domain"] = _domain_filter_field(request.user)
    form.fields["status"] = _select(
        "Status", [("", "Any status"), *GlossaryStatus.choices], width="narrow"
    )
    return render(
        request,
        template,
        {
            "filterset": filterset,
            "filter_fields": [form["domain"], form["status"]],
            "page": _page(request, filterset.qs),
            "filtered": any(request.GET.get(k) for k in ("domain", "status")),
            "can_create": selectors.manageable_project_list(user=request.user).exists(),
            "section": section,
        },
    )
