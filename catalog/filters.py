"""FilterSets of the catalog app; each serves its page and its API endpoint."""

import django_filters
from django.db.models import Q

from meshportal.filters import PortalFilterSet

from .choices import AssetType
from .models import Asset, DataSource, DataSourceRun, Listing


class DataSourceFilterSet(PortalFilterSet):
    class Meta:
        model = DataSource
        fields = ["project", "environment", "type", "enabled"]


class DataSourceRunFilterSet(PortalFilterSet):
    class Meta:
        model = DataSourceRun
        fields = ["data_source", "status", "type"]


class AssetFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Name")
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


class ListingFilterSet(PortalFilterSet):
    """Filters of the catalog's listings: by domain, owning project, status, asset type."""

    asset_type = django_filters.ChoiceFilter(field_name="asset__type", choices=AssetType.choices)

    class Meta:
        model = Listing
        fields = ["domain", "project", "status", "asset_type"]
