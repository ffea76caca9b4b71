"""Writes of metadata form types and their fields."""

from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import FIELDS_PER_FORM_TYPE_MAX, check_count
from meshportal.services import reject_unknown_fields, save_unique

from ..choices import FieldType, GlossaryStatus
from ..models import FormField, FormType, Glossary
from ..permissions import require_manage_owned
from .glossaries import new_owned, set_owned_changes


def _clean_fields(domain, fields) -> list[dict]:
    if not isinstance(fields, list):
        raise ValidationError({"fields": "Give a list of fields."})
    check_count(fields, FIELDS_PER_FORM_TYPE_MAX, "fields", "fields")
    cleaned, names, errors = [], set(), []
    for number, raw in enumerate(fields, start=1):
        if not isinstance(raw, dict):
            errors.append(f"Field {number}: give an object.")
            continue
        label = str(raw.get("label") or "").strip()
        name = str(raw.get("name") or "").strip() or "_".join(label.lower().split())
        name = "".join(ch for ch in name.lower() if ch.isalnum() or ch in "_-")[:64]
        kind = str(raw.get("type") or "").upper()
        if not label:
            errors.append(f"Field {number}: enter a label.")
        if not name:
            errors.append(f"Field {number}: enter a name (letters, digits, '_' or '-').")
        elif name in names:
            errors.append(f"Field {number}: another field is already named '{name}'.")
        if kind not in FieldType.values:
            errors.append(f"Field {number}: type must be one of {', '.join(FieldType.values)}.")
        glossary = None
        if kind == FieldType.GLOSSARY_TERM:
            glossary_id = raw.get("glossary")
            glossary = (
                Glossary.objects.filter(pk=glossary_id, domain=domain).first()
                if glossary_id
                else None
            )
            if glossary is None:
                errors.append(
                    f"Field {number}: choose the glossary of this domain whose terms it offers."
                )
        names.add(name)
        cleaned.append(
            {
                "name": name,
                "label": label[:128],
                "type": kind,
                "glossary": glossary,
                "required": bool(raw.get("required")),
                "searchable": bool(raw.get("searchable")),
                "help_text": str(raw.get("help_text") or "")[:512],
                "order": number,
            }
        )
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


def _field_signature(field) -> tuple:
    get = field.get if isinstance(field, dict) else lambda k: getattr(field, k)
    glossary = get("glossary")
    return (
        get("name"),
        get("label"),
        get("type"),
        getattr(glossary, "pk", glossary),
        get("required"),
        get("searchable"),
        get("help_text"),
        get("order"),
    )


def _replace_fields(form_type, fields) -> bool:
    """Replace the fields; True when anything changed."""
    current = [_field_signature(f) for f in form_type.fields.all()]
    if current == [_field_signature(f) for f in fields]:
        return False
    form_type.fields.all().delete()
    FormField.objects.bulk_create(FormField(form_type=form_type, **f) for f in fields)
    return True


@transaction.atomic
def form_type_create(
    *,
    acting_user,
    domain,
    owning_project,
    name,
    description="",
    fields=(),
    status=GlossaryStatus.ENABLED,
) -> FormType:
    form_type = new_owned(
        FormType,
        acting_user=acting_user,
        action="create metadata forms",
        name_max=128,
        domain=domain,
        owning_project=owning_project,
        name=name,
        description=description,
        status=status,
    )
    cleaned = _clean_fields(domain, list(fields))
    save_unique(
        form_type, {"name": f"Domain '{domain.name}' already has a form named '{form_type.name}'."}
    )
    _replace_fields(form_type, cleaned)
    return form_type


@transaction.atomic
def form_type_update(*, acting_user, form_type: FormType, **changes) -> FormType:
    require_manage_owned(
        acting_user, form_type.domain, form_type.owning_project, "change this metadata form"
    )
    reject_unknown_fields(changes, {"name", "description", "status", "fields"})
    set_owned_changes(form_type, changes, name_max=128)
    if "fields" in changes:
        cleaned = _clean_fields(form_type.domain, list(changes["fields"]))
        if _replace_fields(form_type, cleaned):
            form_type.revision += 1
    return save_unique(
        form_type,
        {"name": f"Domain '{form_type.domain.name}' already has a form named '{form_type.name}'."},
    )
