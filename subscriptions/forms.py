"""Forms of the subscription pages. They check shape and limits; the services decide."""

from django import forms

from meshportal.forms import ServiceFormMixin

from .models import COMMENT_MAX_LENGTH, END_REASON_MAX_LENGTH, REASON_MAX_LENGTH

_DATE = forms.DateInput(attrs={"type": "date"})


class SubscribeForm(ServiceFormMixin, forms.Form):
    """Subscribe a project of the user (one that may request) to a listing."""

    project = forms.ModelChoiceField(
        queryset=None, empty_label=None, help_text="Your project that will consume the data."
    )
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why the project needs it; the owners decide on this.",
    )
    expires_at = forms.DateField(
        required=False, widget=_DATE, label="Until (optional)", help_text="Access ends that day."
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class AcceptForm(forms.Form):
    decision_comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expires_at = forms.DateField(
        required=False, widget=_DATE, label="Until (optional)", help_text="Set or shorten it."
    )


class RejectForm(forms.Form):
    decision_comment = forms.CharField(
        max_length=COMMENT_MAX_LENGTH,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required: tell the requester why.",
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=END_REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
