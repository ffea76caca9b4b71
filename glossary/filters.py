"""FilterSets of the glossary app; each serves its page and its API endpoint."""

import django_filters
from django.db.models import Q

from meshportal.filters import PortalFilterSet

from .models import FormType, Glossary, GlossaryTerm


class GlossaryFilterSet(PortalFilterSet):
    class Meta:
        model = Glossary
        fields = ["domain", "owning_project", "status"]


class GlossaryTermFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    domain = django_filters.UUIDFilter(field_name="glossary__domain_id")

    class Meta:
        model = GlossaryTerm
        fields = ["q", "glossary", "domain", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_description__icontains=value)
            | Q(synonyms__icontains=value)
        )


class FormTypeFilterSet(PortalFilterSet):
    class Meta:
        model = FormType
        fields = ["domain", "status"]
