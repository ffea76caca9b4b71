"""The FilterSet base of every app (one FilterSet per listable model serves its page and
its API endpoint, as NetBox's ``filtersets.py``)."""

import django_filters
from django.db import models


class PortalFilterSet(django_filters.FilterSet):
    """Filters generated from ``Meta.fields`` the portal's way.

    A foreign key filters by the id it holds (``project`` → ``project_id``, a UUID): an
    unknown or unreadable id finds nothing instead of failing, and no query looks the
    object up. django-filter's own defaults cover the rest (a field with choices gets
    them, a boolean a yes/no filter), so a FilterSet declares only what differs.
    """

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if isinstance(field, models.ForeignKey) and lookup_expr in (None, "exact"):
            return django_filters.UUIDFilter(field_name=f"{field_name}_id")
        return super().filter_for_field(field, field_name, lookup_expr)
