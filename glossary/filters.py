"""FilterSets of the glossary app; each serves its page and its API endpoint."""

import django_filters
from django.db.models import Q

from .choices import GlossaryStatus
from .models import FormType, Glossary, GlossaryTerm


class GlossaryFilterSet(django_filters.FilterSet):
    domain = django_filters.UUIDFilter(field_name="domain_id")
    owning_project = django_filters.UUIDFilter(field_name="owning_project_id")
    status = django_filters.ChoiceFilter(choices=GlossaryStatus.choices)

    class Meta:
        model = Glossary
        fields = ["domain", "owning_project", "status"]


class GlossaryTermFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    glossary = django_filters.UUIDFilter(field_name="glossary_id")
    domain = django_filters.UUIDFilter(field_name="glossary__domain_id")
    status = django_filters.ChoiceFilter(choices=GlossaryStatus.choices)

    class Meta:
        model = GlossaryTerm
        fields = ["q", "glossary", "domain", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_description__icontains=value)
            | Q(synonyms__icontains=value)
        )


class FormTypeFilterSet(django_filters.FilterSet):
    domain = django_filters.UUIDFilter(field_name="domain_id")
    status = django_filters.ChoiceFilter(choices=GlossaryStatus.choices)

    class Meta:
        model = FormType
        fields = ["domain", "status"]
