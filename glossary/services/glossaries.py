"""Writes of glossaries, and the field checks every glossary service shares."""

from django.core.exceptions import ValidationError
from django.db import transaction

from meshportal.limits import clean_description
from meshportal.services import reject_unknown_fields, save_unique

from ..choices import GlossaryStatus
from ..models import Glossary
from ..permissions import require_manage_owned

GLOSSARY_FIELDS = {"name", "description", "status"}


LIST_SEPARATOR = ";"


def _text(value, field, *, max_length, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"Use at most {max_length} characters (this has {len(value)})."}
        )
    return value


def _status(value) -> str:
    value = (value or GlossaryStatus.ENABLED).upper()
    if value not in GlossaryStatus.values:
        raise ValidationError({"status": "Choose ENABLED or DISABLED."})
    return value


@transaction.atomic
def glossary_create(
    *, acting_user, domain, owning_project, name, description="", status=GlossaryStatus.ENABLED
) -> Glossary:
    if owning_project.domain_id != domain.pk:
        raise ValidationError({"owning_project": "Choose a project of this domain."})
    require_manage_owned(acting_user, domain, owning_project, "create glossaries")
    glossary = Glossary(
        domain=domain,
        owning_project=owning_project,
        name=_text(name, "name", max_length=256),
        description=clean_description(description),
        status=_status(status),
    )
    return save_unique(
        glossary,
        {"name": f"Domain '{domain.name}' already has a glossary named '{glossary.name}'."},
    )


@transaction.atomic
def glossary_update(*, acting_user, glossary: Glossary, **changes) -> Glossary:
    require_manage_owned(
        acting_user, glossary.domain, glossary.owning_project, "change this glossary"
    )
    reject_unknown_fields(changes, GLOSSARY_FIELDS)
    if "name" in changes:
        glossary.name = _text(changes["name"], "name", max_length=256)
    if "description" in changes:
        glossary.description = clean_description(changes["description"])
    if "status" in changes:
        glossary.status = _status(changes["status"])
    return save_unique(
        glossary,
        {
            "name": f"Domain '{glossary.domain.name}' already has a glossary named '{glossary.name}'."
        },
    )
