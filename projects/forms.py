"""Forms of the project pages.

Forms only shape and check input; the rules (unique names, who may do what, at least one
owner) live in services, whose ValidationErrors are attached back onto these forms with
`meshportal.forms.attach_service_errors` so a person sees every problem next to what
they typed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from meshportal.forms import ServiceFormMixin, markdown_field
from meshportal.limits import DESCRIPTION_MAX_CHARS

from .choices import Blueprint, Designation, DomainRole
from .models import (
    AwsAccount,
    Domain,
    EnvironmentProfile,
    Project,
    account_id_validator,
    region_validator,
    role_arn_validator,
)
from .profiles import parameter_errors


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
    description = markdown_field(
        rows=4,
        about="What the team does and what data it produces or consumes.",
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
    description = markdown_field(rows=4)


class _MemberFields(forms.Form):
    """A user (by username) or an SSO group: the half every members form shares."""

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


class MemberAddForm(_MemberFields):
    """A user or an SSO group, and a designation in the project."""

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


class DomainMemberAddForm(_MemberFields):
    """A user or an SSO group, and a role in the domain (the service checks the pair)."""

    role = forms.ChoiceField(choices=DomainRole.choices, initial=DomainRole.STEWARD)


class DomainMemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=DomainRole.choices)


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


# --- Platform setup: domains, AWS accounts, environment profiles -------------------------


class DomainForm(ServiceFormMixin, forms.Form):
    name = forms.CharField(
        max_length=Domain._meta.get_field("name").max_length,
        help_text="A business domain of the mesh, e.g. “streaming”. Unique.",
    )
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the domain covers, for people choosing where their project belongs.",
    )


class AwsAccountForm(ServiceFormMixin, forms.Form):
    account_id = forms.CharField(
        label="AWS account id",
        max_length=12,
        validators=[account_id_validator],
        error_messages={"max_length": account_id_validator.message},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="12 digits, e.g. 111111111111.",
    )
    name = forms.CharField(
        required=False,
        max_length=AwsAccount._meta.get_field("name").max_length,
        help_text="Optional: how people call this account, e.g. “Streaming producer”.",
    )
    region = forms.CharField(
        max_length=32,
        validators=[region_validator],
        initial="us-east-1",
        help_text="Where the domain's Glue catalog and Lake Formation live, e.g. us-east-1.",
    )
    role_arn = forms.CharField(
        required=False,
        label="Role ARN",
        max_length=2048,
        validators=[role_arn_validator],
        help_text="The role the portal assumes in this account. Empty: the portal's own "
        "credentials (they must belong to this account).",
    )

    def clean(self):
        cleaned = super().clean()
        account_id, role_arn = cleaned.get("account_id"), cleaned.get("role_arn")
        if account_id and role_arn and f":iam::{account_id}:" not in role_arn:
            # Assumed-role calls land in the role's own account, not in account_id.
            self.add_error(
                "role_arn",
                f"The role must belong to account {account_id} (…:iam::{account_id}:role/…).",
            )
        return cleaned


class PasswordSource(models.TextChoices):
    ENVIRONMENT = "password_env", "An environment variable of the portal"
    SECRET = "secret_arn", "A secret in AWS Secrets Manager"


class EnvironmentProfileForm(ServiceFormMixin, forms.Form):
    """A profile with a typed field per parameter of its blueprint, instead of raw JSON.

    The parameters are the ones provisioning, imports and grants read
    (``projects.profiles.PARAMETERS``). Keys the form does not know (set through the API)
    are kept as they are when a profile is edited.
    """

    name = forms.CharField(
        max_length=EnvironmentProfile._meta.get_field("name").max_length,
        help_text="Unique within the domain, e.g. “DataLakeProfile”.",
    )
    description = forms.CharField(
        required=False,
        max_length=DESCRIPTION_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What environments made from it are for.",
    )
    aws_account = forms.ModelChoiceField(
        queryset=None,
        label="AWS account",
        empty_label="Choose an account…",
        help_text="Associated with this domain; environments are created in it.",
    )
    region = forms.CharField(
        max_length=32,
        validators=[region_validator],
        help_text="Empty: the account's region.",
        required=False,
    )
    # DATA_LAKE
    s3_bucket = forms.CharField(
        label="S3 bucket",
        required=False,
        max_length=63,
        help_text="Holds the environments' data (one prefix each). It must exist.",
    )
    grant_role_arn = forms.CharField(
        label="Grant role ARN",
        required=False,
        max_length=2048,
        help_text="Optional: an existing IAM role that receives every environment's grants. "
        "Empty: provisioning creates one role per environment.",
    )
    # DATA_WAREHOUSE
    host = forms.CharField(
        required=False,
        max_length=255,
        help_text="The Redshift cluster's endpoint host name.",
    )
    port = forms.IntegerField(
        required=False, min_value=1, max_value=65535, initial=5439, help_text="5439 for Redshift."
    )
    database = forms.CharField(
        required=False, max_length=127, help_text="The database the portal connects to."
    )
    user = forms.CharField(
        required=False,
        max_length=127,
        help_text="The portal's database user; it creates roles and grants.",
    )
    password_source = forms.ChoiceField(
        label="Password comes from",
        choices=PasswordSource.choices,
        initial=PasswordSource.ENVIRONMENT,
        required=False,
    )
    password_env = forms.CharField(
        label="Environment variable",
        required=False,
        max_length=255,
        help_text="Its name, e.g. MESHPORTAL_REDSHIFT_PASSWORD; set it on the web and "
        "worker processes. The password itself is never stored in the portal.",
    )
    secret_arn = forms.CharField(
        label="Secret ARN",
        required=False,
        max_length=2048,
        help_text="A Secrets Manager secret holding the password (or JSON with "
        "“password”), readable by the portal's role.",
    )

    BLUEPRINT_FIELDS = {
        Blueprint.DATA_LAKE: ["s3_bucket", "grant_role_arn"],
        Blueprint.DATA_WAREHOUSE: [
            "host",
            "port",
            "database",
            "user",
            "password_source",
            "password_env",
            "secret_arn",
        ],
    }
    service_field_aliases = {"parameters": "__all__"}

    def __init__(self, *args, blueprint, accounts, profile=None, **kwargs):
        self.blueprint = Blueprint(blueprint)
        self.profile = profile
        if profile is not None and "initial" not in kwargs:
            kwargs["initial"] = profile_initial(profile)
        super().__init__(*args, **kwargs)
        self.fields["aws_account"].queryset = accounts
        self.fields["aws_account"].label_from_instance = lambda a: (
            f"{a.account_id} — {a.name}, {a.region}" if a.name else f"{a.account_id} ({a.region})"
        )
        if not self.is_bound and profile is None:
            only = list(accounts[:2])
            if len(only) == 1:  # the only choice: preselect it
                self.fields["aws_account"].initial = only[0].pk
        for blueprint, names in self.BLUEPRINT_FIELDS.items():
            if blueprint != self.blueprint:
                for name in names:
                    del self.fields[name]
        # What the blueprint requires is marked required (no "(optional)" on its label) and
        # refused with the message the service would give. The password's source decides
        # which of its two fields is needed.
        needed = parameter_errors(self.blueprint, {})
        if "password_source" in needed:
            source = (
                self.data.get("password_source") if self.is_bound else None
            ) or self.get_initial_for_field(self.fields["password_source"], "password_source")
            if source in self.fields:
                needed[source] = needed["password_source"]
            self.fields["password_source"].required = True
            del needed["password_source"]
        for name, message in needed.items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message

    def blueprint_fields(self):
        return [self[name] for name in self.BLUEPRINT_FIELDS[self.blueprint]]

    def clean(self):
        cleaned = super().clean()
        given = {
            name: cleaned.get(name)
            for name in self.BLUEPRINT_FIELDS[self.blueprint]
            if name not in self.errors
        }
        source = given.get("password_source")
        for name, message in parameter_errors(self.blueprint, parameters_from(given)).items():
            if name == "password_source" and source in self.fields:
                name = source  # the chosen source's field was left empty
            field = name if name in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, message)
        account = cleaned.get("aws_account")
        if account is not None and not cleaned.get("region"):
            cleaned["region"] = account.region
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        known = {key for names in self.BLUEPRINT_FIELDS.values() for key in names}
        kept = {
            key: value
            for key, value in ((self.profile.parameters if self.profile else None) or {}).items()
            if key not in known
        }
        given = {name: data.get(name) for name in self.BLUEPRINT_FIELDS[self.blueprint]}
        return {
            "name": data["name"],
            "description": data["description"],
            "aws_account": data["aws_account"],
            "region": data["region"],
            "parameters": {**kept, **parameters_from(given)},
        }


def parameters_from(given: dict) -> dict:
    """The parameters JSON from the typed fields: blanks left out, the password's one
    source kept (the other field may still hold what was typed before switching)."""
    source = given.pop("password_source", None)
    if source:
        other = (
            PasswordSource.SECRET
            if source == PasswordSource.ENVIRONMENT
            else PasswordSource.ENVIRONMENT
        )
        given.pop(other, None)
    return {
        key: value.strip() if isinstance(value, str) else value
        for key, value in given.items()
        if value not in (None, "")
    }


def profile_initial(profile) -> dict:
    params = profile.parameters or {}
    initial = {
        "name": profile.name,
        "description": profile.description,
        "aws_account": profile.aws_account_id,
        "region": profile.region,
        **{k: v for k, v in params.items() if isinstance(v, (str, int))},
    }
    if profile.blueprint == Blueprint.DATA_WAREHOUSE:
        initial["password_source"] = (
            PasswordSource.SECRET if params.get("secret_arn") else PasswordSource.ENVIRONMENT
        )
    return initial
