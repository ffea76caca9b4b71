"""FilterSets of the catalog app; each serves its page and its API endpoint."""

import django_filters
from django.db.models import Q

from .choices import AssetType, DataSourceType, ListingStatus, RunStatus, RunType
from .models import Asset, DataSource, DataSourceRun, Listing


class DataSourceFilterSet(django_filters.FilterSet):
    project = django_filters.UUIDFilter(field_name="project_id")
    environment = django_filters.UUIDFilter(field_name="environment_id")
    type = django_filters.ChoiceFilter(choices=DataSourceType.choices)
    enabled = django_filters.BooleanFilter()

    class Meta:
        model = DataSource
        fields = ["project", "environment", "type", "enabled"]


class DataSourceRunFilterSet(django_filters.FilterSet):
    data_source = django_filters.UUIDFilter(field_name="data_source_id")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    type = django_filters.ChoiceFilter(choices=RunType.choices)

    class Meta:
        model = DataSourceRun
        fields = ["data_source", "status", "type"]


class AssetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name")
    project = django_filters.UUIDFilter(field_name="project_id")
    data_source = django_filters.UUIDFilter(field_name="data_source_id")
    type = django_filters.ChoiceFilter(choices=AssetType.choices)
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label="Archived"
    )

    class Meta:
        model = Asset
        fields = ["q", "project", "data_source", "type", "archived"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(technical_name__icontains=value) | Q(business_name__icontains=value)
        )


class ListingFilterSet(django_filters.FilterSet):
    """Filters of the catalog's listings: by domain, owning project, status, asset type."""

    domain = django_filters.UUIDFilter(field_name="domain_id")
    project = django_filters.UUIDFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(choices=ListingStatus.choices)
    asset_type = django_filters.ChoiceFilter(field_name="asset__type", choices=AssetType.choices)

    class Meta:
        model = Listing
        fields = ["domain", "project", "status", "asset_type"]
