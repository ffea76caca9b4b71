"""Forms of the catalog pages.

As in projects/forms.py, forms only shape input: the data source rules (a valid cron
expression, a schema for Redshift, an environment of the right blueprint, unique names)
live in ``services.data_source_create/update``, whose ValidationErrors are put back onto
these fields with ``attach_service_errors``.
"""

import re
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

from glossary.models import FormType
from meshportal.forms import ServiceFormMixin, attach_service_errors, markdown_field
from meshportal.limits import DESCRIPTION_MAX_CHARS

from .choices import DataSourceType, FilterType
from .models import DataSource

# Service field names → form field names (where they differ).

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


class DataSourceForm(ServiceFormMixin, forms.Form):
    """Create and edit a data source. ``filters`` is cleaned into the service's list."""

    service_field_aliases = {"filter_expressions": "filters"}

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
    database_name = forms.CharField(
        max_length=255,
        label="Database",
        help_text="The Glue database (e.g. curatedzonedb) or the Redshift database to import.",
    )
    schema_name = forms.CharField(
        required=False,
        label="Schema",
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
        label="Publish assets on import",
        help_text="Publish every new or changed table as a listing after each run. Tables the "
        "domain's publishing rules refuse stay in the inventory; the run's activity says "
        "what they miss.",
    )
    generate_business_names = forms.BooleanField(
        required=False,
        initial=True,
        label="Generate business names",
        help_text="Suggest readable names for tables and columns (film_category → “Film "
        "Category”), for you to accept or reject on each asset.",
    )

    default_form_types = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Forms applied to imported assets",
        widget=forms.CheckboxSelectMultiple,
        help_text="Every asset this source imports carries these metadata forms, empty, for "
        "you to fill in before publishing.",
    )

    def __init__(self, *args, environments, form_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_form_types"].queryset = (
            form_types if form_types is not None else FormType.objects.none()
        )
        self.fields["default_form_types"].label_from_instance = lambda form_type: (
            form_type.name
            if form_type.status == "ENABLED"
            else f"{form_type.name} (disabled — kept while selected)"
        )
        field = self.fields["environment"]
        field.queryset = environments
        field.label_from_instance = lambda env: (
            f"{env.name} — {env.profile.get_blueprint_display().split(' (')[0]}"
            f"{'' if env.status == 'ACTIVE' else f' ({env.get_status_display().lower()})'}"
        )

    def clean_filters(self) -> list[dict]:
        return parse_filter_lines(self.cleaned_data.get("filters", ""))

    def clean(self):
        """Check the schedule with the service's rule here too, so that a bad cron is
        reported together with the form's own errors (a bad filter line, a missing
        database), not only once they are fixed."""
        cleaned = super().clean()
        from .services import schedule_clean

        if "schedule" in cleaned and "schedule_timezone" in cleaned:
            try:
                schedule_clean(cleaned["schedule"], cleaned["schedule_timezone"])
            except ValidationError as error:
                attach_service_errors(self, error)
        return cleaned

    def service_kwargs(self) -> dict:
        """Keyword arguments for ``data_source_create/update`` (environment apart)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "type": data["type"],
            "database_name": data["database_name"],
            "schema_name": data["schema_name"] if data["type"] == DataSourceType.REDSHIFT else "",
            "filter_expressions": data["filters"],
            "schedule": data["schedule"],
            "schedule_timezone": data["schedule_timezone"],
            "enabled": data["enabled"],
            "publish_on_import": data["publish_on_import"],
            "generate_business_names": data["generate_business_names"],
            "default_form_types": [f.pk for f in data["default_form_types"]],
        }

    @staticmethod
    def initial_for(data_source: DataSource) -> dict:
        return {
            "name": data_source.name,
            "description": data_source.description,
            "environment": data_source.environment_id,
            "type": data_source.type,
            "database_name": data_source.database_name,
            "schema_name": data_source.schema_name,
            "filters": filters_to_text(data_source.filter_expressions),
            "schedule": data_source.schedule,
            "schedule_timezone": data_source.schedule_timezone,
            "enabled": data_source.enabled,
            "publish_on_import": data_source.publish_on_import,
            "generate_business_names": data_source.generate_business_names,
            "default_form_types": [f.pk for f in data_source.default_form_types.all()],
        }


# --- Business metadata: the asset, its columns, its metadata forms ----------------------

MARKDOWN_HELP = mark_safe(  # noqa: S308 (constant)
    "Markdown: <code>**bold**</code>, <code>_italic_</code>, lists, "
    "<code>[links](https://…)</code>, tables. Scripts, images and <code>javascript:</code> "
    "links are removed when it is shown."
)
TERM_SEPARATOR = ","
# How long the typed terms of one asset or column may be (100 terms of ~40 characters).
TERM_TEXT_MAX = 4000


class AssetEditForm(ServiceFormMixin, forms.Form):
    """The asset's own business metadata; ``asset_update`` validates and writes it."""

    business_name = forms.CharField(
        max_length=255,
        required=False,
        help_text="What people call the table, e.g. “Movie listings with category”. Empty "
        "shows the technical name.",
    )
    description = markdown_field(rows=9, help_text=MARKDOWN_HELP)
    glossary_terms = forms.CharField(
        required=False,
        max_length=TERM_TEXT_MAX,
        help_text="Terms of the domain's enabled glossaries: type to search, pick with the "
        "arrow keys and Enter (without JavaScript: names separated by commas). A term "
        "whose glossary was disabled since it was attached stays as long as you keep it.",
    )

    def __init__(self, *args, term_names: "TermNames", search_url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.term_names = term_names
        self.fields["glossary_terms"].widget = TermPickerInput(search_url=search_url)

    def clean_glossary_terms(self) -> list[str]:
        return self.term_names.parse(self.cleaned_data.get("glossary_terms", ""))


# Distinct names one request may ask TermNames to look up (a page of 2,000 columns with a
# few terms each stays far below; a flood of invented names is not looked up at all).
TERM_NAMES_LOOKUP_MAX = 10_000
_QUALIFIED = re.compile(r"(.*?\S)\s*\((.+)\)")


def _typed_names(text: str) -> set[str]:
    """The lower-cased names a comma-separated text may refer to: each name as written
    and, for ``Genre (Media)``, also ``genre`` (the glossary is checked by ``parse``)."""
    names = set()
    for raw in (text or "").split(TERM_SEPARATOR):
        name = " ".join(raw.split()).lower()
        if not name:
            continue
        names.add(name)
        qualified = _QUALIFIED.fullmatch(name)
        if qualified:
            names.add(qualified.group(1))
    return names


class TermPickerInput(forms.TextInput):
    """The one glossary-term picker of the asset and column editors.

    The input holds the terms as comma-separated names (what ``TermNames`` parses), so
    without JavaScript it is a plain text field. static/js/term-picker.js turns it into
    chips (removable) and a search box whose suggestions come from the server
    (``asset-term-options``: bounded, light term rows), keyboard-navigable, and keeps the
    input's value in step with the chips.
    """

    def __init__(self, *, search_url: str, attrs=None):
        defaults = {"autocomplete": "off", "spellcheck": "false", "data-term-value": ""}
        super().__init__({**defaults, **(attrs or {})})
        self.search_url = search_url

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html

        return format_html(
            '<div class="term-picker" data-term-picker data-search-url="{}" '
            'data-testid="term-picker">{}</div>',
            self.search_url,
            super().render(name, value, attrs, renderer),
        )


class TermNames:
    """Resolves the comma-separated term names typed for an asset or a column to ids.

    A name is unique within a glossary, not within a domain: a name two glossaries share
    is written ``Genre (Media)``, which is also how the picker offers it. Built with
    ``for_domain`` it holds only the terms named on the page (attached or typed), never
    the whole glossary.
    """

    @classmethod
    def for_domain(cls, domain_id, *, terms=(), texts=()) -> "TermNames":
        """The domain's terms that share a name with ``terms`` (to label them) or with a
        name in ``texts`` (to parse them): one query, light rows."""
        from django.db.models.functions import Lower

        from glossary.models import GlossaryTerm
        from glossary.queries import light_terms

        names = {t.name.lower() for t in terms}
        for text in texts:
            names |= _typed_names(text)
            if len(names) > TERM_NAMES_LOOKUP_MAX:
                raise ValidationError(
                    f"Give at most {TERM_NAMES_LOOKUP_MAX:,} different glossary-term names."
                )
        if not names:
            return cls([])
        return cls(
            light_terms(GlossaryTerm.objects.filter(glossary__domain_id=domain_id))
            .annotate(name_lower=Lower("name"))
            .filter(name_lower__in=names)
        )

    def __init__(self, terms):
        self.terms = list(terms)
        self.by_name: dict = {}
        for term in self.terms:
            self.by_name.setdefault(term.name.lower(), []).append(term)
        self.by_qualified = {f"{t.name} ({t.glossary.name})".lower(): t for t in self.terms}

    def label(self, term) -> str:
        if len(self.by_name.get(term.name.lower(), [])) > 1:
            return f"{term.name} ({term.glossary.name})"
        return term.name

    def text(self, terms) -> str:
        return f"{TERM_SEPARATOR} ".join(sorted((self.label(t) for t in terms), key=str.lower))

    def parse(self, text: str) -> list[str]:
        """Term ids for ``text``; ValidationError naming every name it cannot place."""
        ids, problems = [], []
        for raw in (text or "").split(TERM_SEPARATOR):
            name = " ".join(raw.split())
            if not name:
                continue
            term = self.by_qualified.get(name.lower())
            if term is None:
                matches = self.by_name.get(name.lower(), [])
                if len(matches) > 1:
                    options = " or ".join(f"“{t.name} ({t.glossary.name})”" for t in matches)
                    problems.append(f"“{name}” is a term of several glossaries: write {options}.")
                    continue
                if not matches:
                    problems.append(f"“{name}” is not a term of this domain's glossaries.")
                    continue
                term = matches[0]
            if str(term.pk) not in ids:
                ids.append(str(term.pk))
        if problems:
            raise ValidationError(problems)
        return ids


class ColumnRowForm(ServiceFormMixin, forms.Form):
    """One column on the columns page. ``name`` identifies it (hidden); ``terms`` is
    typed as names and cleaned into ids (``glossary_terms``) for the service."""

    name = forms.CharField(widget=forms.HiddenInput)
    business_name = forms.CharField(max_length=255, required=False)
    description = forms.CharField(
        required=False, max_length=DESCRIPTION_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 1})
    )
    terms = forms.CharField(required=False, max_length=TERM_TEXT_MAX)

    def __init__(self, *args, term_names: TermNames, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.term_names = term_names
        for name in ("business_name", "description", "terms"):
            self.fields[name].widget.attrs["class"] = f"input input--cell column-editor__{name}"
        if search_url:
            widget = TermPickerInput(
                search_url=search_url, attrs={"class": "input input--cell column-editor__terms"}
            )
            self.fields["terms"].widget = widget

    def clean_terms(self) -> list[str]:
        return self.term_names.parse(self.cleaned_data.get("terms", ""))

    def service_kwargs(self) -> dict:
        """What changed on this row, as an item of ``asset_columns_update(columns=…)``."""
        item = {"name": self.cleaned_data["name"]}
        for field in ("business_name", "description"):
            if field in self.changed_data:
                item[field] = self.cleaned_data[field]
        if "terms" in self.changed_data:
            item["glossary_terms"] = self.cleaned_data["terms"]
        return item


ColumnRowFormSet = forms.formset_factory(ColumnRowForm, extra=0, max_num=5000, absolute_max=5000)


# Typed inputs of metadata form fields. Every input is a CharField: the service parses
# and validates (errors keyed by label, "Enter a valid date."), so the page shows exactly
# what the API would answer and keeps what was typed.
BOOLEAN_CHOICES = [("", "—"), ("true", "Yes"), ("false", "No")]


def _typed_widget(form_field, term_choices):
    from glossary.choices import FieldType

    kind = form_field.type
    if kind == FieldType.TEXT:
        return forms.Textarea(attrs={"rows": 3})
    if kind == FieldType.BOOLEAN:
        return forms.Select(choices=BOOLEAN_CHOICES)
    if kind == FieldType.INTEGER:
        return forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"})
    if kind == FieldType.DECIMAL:
        return forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    if kind == FieldType.DATE:
        return forms.DateInput(attrs={"type": "date"})
    if kind == FieldType.EMAIL:
        return forms.EmailInput()
    if kind == FieldType.URL:
        return forms.URLInput(attrs={"placeholder": "https://"})
    if kind == FieldType.GLOSSARY_TERM:
        return forms.Select(choices=term_choices.get(form_field.pk, [("", "—")]))
    return forms.TextInput()


def _initial_value(form_field, value):
    from glossary.choices import FieldType

    if value is None:
        return ""
    if form_field.type == FieldType.BOOLEAN and isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FormValuesForm(ServiceFormMixin, forms.Form):
    """The values of one metadata form on an asset, one typed input per field.

    ``required`` marks what publishing will ask for; saving half-filled is allowed (as
    the service allows), so no input is required here.
    """

    def __init__(self, *args, form_fields, values, term_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_fields = list(form_fields)
        self.by_label = {f.label.lower(): f.name for f in self.form_fields}
        for form_field in self.form_fields:
            field = forms.CharField(
                required=False,
                strip=True,
                label=form_field.label,
                help_text=form_field.help_text,
                widget=_typed_widget(form_field, term_choices),
                initial=_initial_value(form_field, (values or {}).get(form_field.name)),
            )
            field.publish_required = form_field.required
            field.field_type = form_field.type
            self.fields[form_field.name] = field

    def attach_label_errors(self, errors: dict) -> None:
        """``{label: [messages]}`` from the service onto the inputs with that label."""
        for label, problems in errors.items():
            name = self.by_label.get(str(label).lower())
            self.add_error(name, problems)


class PublishForm(forms.Form):
    approval_required = forms.BooleanField(
        required=False,
        initial=True,
        label="Approval required",
        help_text="Unchecked, the listing is open to all: subscription requests are accepted "
        "automatically once subscriptions exist.",
    )
