"""Forms of the webhooks pages (shape only; the rules are in endpoint_services)."""

from django import forms

from meshportal.forms import ServiceFormMixin

from .endpoint_services import SUBSCRIBABLE_TYPES
from .models.endpoints import URL_MAX_LENGTH

EVENT_TYPE_CHOICES = [(t, t) for t in SUBSCRIBABLE_TYPES]


class EndpointForm(ServiceFormMixin, forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=URL_MAX_LENGTH,
        help_text="Where the events are POSTed (https).",
        widget=forms.URLInput(attrs={"placeholder": "https://automation.example.com/hooks"}),
    )
    event_types = forms.MultipleChoiceField(
        choices=EVENT_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events this endpoint receives.",
    )
    enabled = forms.BooleanField(required=False, initial=True)
