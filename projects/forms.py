"""Forms of the project pages.

Forms only shape and check input; the rules (unique names, who may do what, at least one
owner) live in services, whose ValidationErrors are attached back onto these forms with
`meshportal.forms.attach_service_errors` so a person sees every problem next to what
they typed.
"""

from django import forms
from django.core.exceptions import ValidationError

from meshportal.forms import MARKDOWN_HINT, MarkdownTextarea

from .choices import Designation
from .models import Project


class ProjectCreateForm(forms.Form):
    domain = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose a domain…",
        help_text="The business domain the project belongs to; its stewards oversee it.",
    )
    name = forms.CharField(
        max_length=Project._meta.get_field("name").max_length,
        help_text="Unique within the domain, e.g. “Film Catalog Project”.",
    )
    description = forms.CharField(
        required=False,
        widget=MarkdownTextarea(attrs={"rows": 4}),
        help_text="What the team does and what data it produces or consumes. " + MARKDOWN_HINT,
    )

    def __init__(self, *args, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains
        # With one domain to choose from there is no choice to make: preselect it.
        if not self.is_bound:
            only = list(domains[:2])
            if len(only) == 1:
                self.fields["domain"].initial = only[0].pk


class ProjectEditForm(forms.Form):
    name = forms.CharField(max_length=Project._meta.get_field("name").max_length)
    description = forms.CharField(
        required=False, widget=MarkdownTextarea(attrs={"rows": 4}), help_text=MARKDOWN_HINT
    )


class MemberAddForm(forms.Form):
    """A user (by username) or an SSO group, and a designation."""

    username = forms.CharField(
        required=False,
        max_length=150,
        label="Username",
        help_text="People appear after their first sign-in.",
    )
    group = forms.CharField(
        required=False,
        max_length=150,
        label="or SSO group",
        help_text="Everyone in this group of the identity provider.",
    )
    designation = forms.ChoiceField(
        choices=Designation.choices, initial=Designation.CONTRIBUTOR, label="Designation"
    )

    def clean(self):
        cleaned = super().clean()
        username = (cleaned.get("username") or "").strip()
        group = (cleaned.get("group") or "").strip()
        if bool(username) == bool(group):
            raise ValidationError("Enter either a username or an SSO group (not both).")
        cleaned["username"], cleaned["group"] = username, group
        return cleaned


class MemberUpdateForm(forms.Form):
    designation = forms.ChoiceField(choices=Designation.choices)


class EnvironmentCreateForm(forms.Form):
    profile = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose a profile…",
        label="Environment profile",
        help_text="Set up by a platform admin: the blueprint, AWS account and region.",
    )
    name = forms.CharField(
        max_length=64, help_text="Unique within the project, e.g. “Film Datasets S3”."
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = profiles
        self.fields["profile"].label_from_instance = lambda p: (
            f"{p.name} — {p.get_blueprint_display().split(' (')[0]}, "
            f"{p.aws_account.account_id} {p.region}"
        )
