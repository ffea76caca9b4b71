"""FilterSets of the subscriptions app; each serves both its page and its API endpoint."""

import django_filters

from meshportal.filters import PortalFilterSet

from . import selectors
from .choices import Direction, SubscriptionDirection
from .models import Subscription, SubscriptionRequest


class SubscriptionRequestFilterSet(PortalFilterSet):
    direction = django_filters.ChoiceFilter(
        choices=Direction.choices,
        method="in_direction",
        label="incoming: requests I may decide; outgoing: my projects' requests",
    )

    class Meta:
        model = SubscriptionRequest
        fields = ["status", "listing", "project", "direction"]

    def in_direction(self, queryset, name, value):
        return selectors.requests_in_direction(queryset, user=self.request.user, direction=value)


class SubscriptionFilterSet(PortalFilterSet):
    direction = django_filters.ChoiceFilter(
        choices=SubscriptionDirection.choices,
        method="in_direction",
        label="consumed: my projects' subscriptions; provided: subscriptions to our listings",
    )

    class Meta:
        model = Subscription
        fields = ["status", "listing", "project", "direction"]

    def in_direction(self, queryset, name, value):
        return selectors.subscriptions_in_direction(
            queryset, user=self.request.user, direction=value
        )
