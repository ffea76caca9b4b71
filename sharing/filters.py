"""FilterSets of the sharing app (the API's, and the pages' when they list grants)."""

from meshportal.filters import PortalFilterSet

from .models import EnvironmentRole, SubscriptionGrant


class SubscriptionGrantFilterSet(PortalFilterSet):
    class Meta:
        model = SubscriptionGrant
        fields = ["subscription", "environment", "status", "backend"]


class EnvironmentRoleFilterSet(PortalFilterSet):
    class Meta:
        model = EnvironmentRole
        fields = ["environment"]
