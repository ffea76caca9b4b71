from django import forms

from meshportal.forms import ServiceFormMixin

from .choices import TokenScope
from .services import TOKEN_MAX_DAYS


class TokenCreateForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(max_length=64, help_text="What uses it, e.g. “nightly export”.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=TOKEN_MAX_DAYS, initial=90, label="Expires in (days)"
    )
