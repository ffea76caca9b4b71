"""FilterSets of the sharing app (the API's, and the pages' when they list grants)."""

import django_filters

from .choices import GrantBackend, GrantStatus
from .models import EnvironmentRole, SubscriptionGrant


class SubscriptionGrantFilterSet(django_filters.FilterSet):
    subscription = django_filters.UUIDFilter(field_name="subscription_id")
    environment = django_filters.UUIDFilter(field_name="environment_id")
    status = django_filters.ChoiceFilter(choices=GrantStatus.choices)
    backend = django_filters.ChoiceFilter(choices=GrantBackend.choices)

    class Meta:
        model = SubscriptionGrant
        fields = ["subscription", "environment", "status", "backend"]


class EnvironmentRoleFilterSet(django_filters.FilterSet):
    environment = django_filters.UUIDFilter(field_name="environment_id")

    class Meta:
        model = EnvironmentRole
        fields = ["environment"]
