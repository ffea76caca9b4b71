"""Forms of the catalog pages.

As in projects/forms.py, forms only shape input: the data source rules (a valid cron
expression, a schema for Redshift, an environment of the right blueprint, unique names)
live in ``services.data_source_create/update``, whose ValidationErrors are put back onto
these fields with ``attach_service_errors``.
"""

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

from projects.forms import attach_service_errors

from .choices import DataSourceType, FilterType
from .models import DataSource

# Service field names → form field names (where they differ).
SERVICE_FIELD_ALIASES = {"filter_expressions": "filters"}

# Help texts with markup (the examples are what people copy); constants, no user input.
FILTERS_HELP = mark_safe(  # noqa: S308
    "One rule per line: <code>INCLUDE</code> or <code>EXCLUDE</code>, then a table-name "
    "pattern (<code>*</code> matches anything, <code>?</code> one character), e.g. "
    "<code>INCLUDE film_*</code> or <code>EXCLUDE *_tmp</code>. Without an INCLUDE line "
    "every table is imported; an EXCLUDE match always wins."
)
SCHEDULE_HELP = mark_safe(  # noqa: S308
    "Cron: minute hour day month weekday. <code>0 2 * * *</code> every day at 02:00, "
    "<code>*/30 * * * *</code> every 30 minutes, <code>0 6 * * 1</code> Mondays at 06:00. "
    "Leave empty to run on demand only."
)


def _timezone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def filters_to_text(expressions) -> str:
    """The stored ``[{type, expression}]`` as the textarea's lines."""
    return "\n".join(f"{e['type']} {e['expression']}" for e in expressions or [])


def parse_filter_lines(text: str) -> list[dict]:
    """``INCLUDE film_*`` / ``EXCLUDE *_tmp`` lines → ``[{type, expression}]``.

    Errors name the line, so a person finds the one to fix in a long list.
    """
    expressions = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        keyword, _, pattern = line.partition(" ")
        keyword, pattern = keyword.upper(), pattern.strip()
        if keyword not in FilterType.values or not pattern:
            raise ValidationError(
                f"Line {number} (“{line}”): start with INCLUDE or EXCLUDE, then a table-name "
                "pattern, e.g. “EXCLUDE tmp_*”."
            )
        expressions.append({"type": keyword, "expression": pattern})
    return expressions


class DataSourceForm(forms.Form):
    """Create and edit a data source. ``filters`` is cleaned into the service's list."""

    name = forms.CharField(
        max_length=DataSource._meta.get_field("name").max_length,
        help_text="Unique within the project, e.g. “films-CuratedZoneDB”.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    environment = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose an environment…",
        help_text="Its AWS account is read: a Glue source needs a data lake environment, a "
        "Redshift source a data warehouse one.",
    )
    type = forms.ChoiceField(
        choices=DataSourceType.choices, initial=DataSourceType.GLUE, label="Source type"
    )
    database = forms.CharField(
        max_length=255,
        help_text="The Glue database (e.g. curatedzonedb) or the Redshift database to import.",
    )
    schema = forms.CharField(
        required=False,
        max_length=127,
        help_text="Needed for Redshift: the schema whose tables and views are imported (e.g. public).",
    )
    filters = forms.CharField(
        required=False,
        initial="INCLUDE *",
        label="Table filters",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"}),
        help_text=FILTERS_HELP,
    )
    schedule = forms.CharField(
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs={"spellcheck": "false", "placeholder": "0 2 * * *"}),
        help_text=SCHEDULE_HELP,
    )
    schedule_timezone = forms.ChoiceField(
        choices=_timezone_choices,
        initial="UTC",
        label="Time zone of the schedule",
    )
    enabled = forms.BooleanField(
        required=False,
        initial=True,
        label="Enabled",
        help_text="A disabled data source neither runs on its schedule nor on demand.",
    )
    publish_on_import = forms.BooleanField(
        required=False,
        disabled=True,
        label="Publish assets on import",
        help_text="Available once publishing exists: the setting is kept and takes effect then. "
        "Until then imported assets stay in the project's inventory.",
    )
    generate_business_names = forms.BooleanField(
        required=False,
        initial=True,
        label="Generate business names",
        help_text="Suggest readable names for tables and columns (film_category → “Film "
        "Category”), for you to accept or reject on each asset.",
    )

    def __init__(self, *args, environments, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["environment"]
        field.queryset = environments
        field.label_from_instance = lambda env: (
            f"{env.name} — {env.profile.get_blueprint_display().split(' (')[0]}"
            f"{'' if env.status == 'ACTIVE' else f' ({env.get_status_display().lower()})'}"
        )

    def clean_filters(self) -> list[dict]:
        return parse_filter_lines(self.cleaned_data.get("filters", ""))

    def service_fields(self) -> dict:
        """Keyword arguments for ``data_source_create/update`` (environment apart)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "type": data["type"],
            "database": data["database"],
            "schema": data["schema"] if data["type"] == DataSourceType.REDSHIFT else "",
            "filter_expressions": data["filters"],
            "schedule": data["schedule"],
            "schedule_timezone": data["schedule_timezone"],
            "enabled": data["enabled"],
            "generate_business_names": data["generate_business_names"],
        }

    def attach(self, error: ValidationError) -> None:
        attach_service_errors(self, error, aliases=SERVICE_FIELD_ALIASES)

    @staticmethod
    def initial_for(data_source: DataSource) -> dict:
        return {
            "name": data_source.name,
            "description": data_source.description,
            "environment": data_source.environment_id,
            "type": data_source.type,
            "database": data_source.database,
            "schema": data_source.schema,
            "filters": filters_to_text(data_source.filter_expressions),
            "schedule": data_source.schedule,
            "schedule_timezone": data_source.schedule_timezone,
            "enabled": data_source.enabled,
            "publish_on_import": data_source.publish_on_import,
            "generate_business_names": data_source.generate_business_names,
        }
