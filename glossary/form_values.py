"""Validation of the values people fill into metadata forms.

Values are stored as JSON under each field's ``name``; errors are keyed by the field's
``label`` because that is what a person sees. Django's form fields do the parsing, so the
messages are the familiar ones ("Enter a valid date.").
"""

from django import forms
from django.core.exceptions import ValidationError

from .choices import FieldType, GlossaryStatus
from .models import GlossaryTerm
from .queries import light_terms

_PARSERS = {
    FieldType.STRING: lambda: forms.CharField(max_length=1024, required=False),
    FieldType.TEXT: lambda: forms.CharField(max_length=20000, required=False),
    FieldType.BOOLEAN: lambda: forms.NullBooleanField(required=False),
    FieldType.INTEGER: lambda: forms.IntegerField(required=False),
    FieldType.DECIMAL: lambda: forms.DecimalField(required=False, max_digits=30, decimal_places=10),
    FieldType.DATE: lambda: forms.DateField(required=False, input_formats=["%Y-%m-%d"]),
    FieldType.EMAIL: lambda: forms.EmailField(required=False),
    FieldType.URL: lambda: forms.URLField(required=False, assume_scheme="https"),
}


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_form_values(form_type, values, *, fields=None) -> dict:
    """Parse ``values`` ({field name: value}) against the form's fields.

    Unknown names are refused; empty values are dropped (required fields are checked at
    publishing time, so a producer may save a form half-filled). Raises
    ValidationError({label: [messages]}).
    """
    fields = list(fields if fields is not None else form_type.fields.all())
    by_name = {f.name: f for f in fields}
    by_label = {f.label.lower(): f for f in fields}
    if not isinstance(values, dict):
        raise ValidationError({form_type.name: ["Give the values as an object of field: value."]})
    errors: dict = {}
    cleaned: dict = {}
    term_ids = {}
    for key, value in values.items():
        field = by_name.get(key) or by_label.get(str(key).lower())
        if field is None:
            errors.setdefault(str(key), []).append(f"'{form_type.name}' has no field '{key}'.")
            continue
        if _empty(value):
            continue
        if field.type == FieldType.GLOSSARY_TERM:
            term_ids[field.name] = value
            continue
        if field.type == FieldType.BOOLEAN and isinstance(value, str):
            value = {
                "true": True,
                "on": True,
                "yes": True,
                "1": True,
                "false": False,
                "off": False,
                "no": False,
                "0": False,
            }.get(value.strip().lower(), value)
            if isinstance(value, str):
                errors.setdefault(field.label, []).append("Enter yes or no (true or false).")
                continue
        if field.type in (FieldType.INTEGER, FieldType.DECIMAL) and isinstance(value, bool):
            errors.setdefault(field.label, []).append("Enter a number.")
            continue
        try:
            parsed = _PARSERS[field.type]().clean(value)
        except ValidationError as error:
            errors.setdefault(field.label, []).extend(error.messages)
            continue
        if field.type == FieldType.DATE:
            parsed = parsed.isoformat()
        elif field.type == FieldType.DECIMAL:
            parsed = str(parsed)
        cleaned[field.name] = parsed
    if term_ids:
        _clean_terms(term_ids, by_name, cleaned, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_terms(term_ids, by_name, cleaned, errors) -> None:
    ids = {str(v) for v in term_ids.values()}
    try:
        terms = {str(t.pk): t for t in light_terms(GlossaryTerm.objects.filter(pk__in=ids))}
    except ValidationError:  # not UUIDs at all
        terms = {}
    for name, term_id in term_ids.items():
        field = by_name[name]
        term = terms.get(str(term_id))
        if term is None:
            errors.setdefault(field.label, []).append("Choose an existing glossary term.")
        elif term.glossary_id != field.glossary_id:
            errors.setdefault(field.label, []).append(
                f"Choose a term of glossary '{field.glossary.name}'; '{term.name}' is in '{term.glossary.name}'."
            )
        elif (
            term.status != GlossaryStatus.ENABLED or term.glossary.status != GlossaryStatus.ENABLED
        ):
            errors.setdefault(field.label, []).append(f"Term '{term.name}' is disabled.")
        else:
            cleaned[name] = str(term.pk)


def missing_required(form_type, values, *, fields=None) -> list[str]:
    """Labels of the required fields that have no value."""
    fields = fields if fields is not None else form_type.fields.all()
    return [f.label for f in fields if f.required and _empty((values or {}).get(f.name))]
