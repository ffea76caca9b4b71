"""FilterSets of the webhooks app; each serves both its page and its API endpoint."""

import django_filters
from django import forms

from meshportal.events import EventType, cursor_parse
from meshportal.filters import PortalFilterSet
from meshportal.models import Event

from .models import EventBridgeDelivery, EventBridgeTarget

# A feed page is bounded: a poller asks again with the cursor for more.
FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 500
# Types a reader can ask for (the test event is never in the outbox).
FEED_TYPES = [
    (value, label) for value, label in EventType.choices if value != EventType.WEBHOOK_TEST
]


class CursorField(forms.CharField):
    """A cursor of the feed: the position of the last event read (digits only)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return cursor_parse(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class CursorFilter(django_filters.Filter):
    field_class = CursorField

    def filter(self, queryset, value):
        return queryset.filter(position__gt=value or 0)


class LimitFilter(django_filters.Filter):
    field_class = forms.IntegerField


class EventFilterSet(PortalFilterSet):
    """The feed's query: ``after`` (a cursor), ``type`` (repeatable), ``limit``."""

    after = CursorFilter(label="After (cursor)")
    type = django_filters.MultipleChoiceFilter(choices=FEED_TYPES, method="filter_types")
    # Not a filter of rows: the page size, validated here with the other parameters.
    limit = LimitFilter(method="keep", min_value=1, max_value=FEED_LIMIT_MAX, label="Limit")

    class Meta:
        model = Event
        fields = ["after", "type", "limit"]

    def filter_types(self, queryset, name, value):
        return queryset.filter(type__in=value) if value else queryset

    def keep(self, queryset, name, value):
        return queryset

    @property
    def limit_value(self) -> int:
        limit = self.form.cleaned_data.get("limit")
        return int(limit) if limit else FEED_LIMIT_DEFAULT


class EventBridgeTargetFilterSet(PortalFilterSet):
    class Meta:
        model = EventBridgeTarget
        fields = ["domain", "enabled"]


class EventBridgeDeliveryFilterSet(PortalFilterSet):
    class Meta:
        model = EventBridgeDelivery
        fields = ["status"]
