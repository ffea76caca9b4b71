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


def new_owned(model, *, acting_user, action: str, name_max: int, domain, owning_project, **values):
    """A new glossary or form type, not saved yet, after the checks both share: the
    owning project is of the domain and the acting user may manage what it owns (to
    ``action``); its name, description and status checked like any change."""
    if owning_project.domain_id != domain.pk:
        raise ValidationError({"owning_project": "Choose a project of this domain."})
    require_manage_owned(acting_user, domain, owning_project, action)
    obj = model(domain=domain, owning_project=owning_project)
    set_owned_changes(obj, values, name_max=name_max)
    return obj


def set_owned_changes(obj, changes: dict, *, name_max: int) -> None:
    """Put the changed name, description and status on a glossary or form type, each
    checked (an unknown field was refused before)."""
    if "name" in changes:
        obj.name = _text(changes["name"], "name", max_length=name_max)
    if "description" in changes:
        obj.description = clean_description(changes["description"])
    if "status" in changes:
        obj.status = _status(changes["status"])


@transaction.atomic
def glossary_create(
    *, acting_user, domain, owning_project, name, description="", status=GlossaryStatus.ENABLED
) -> Glossary:
    glossary = new_owned(
        Glossary,
        acting_user=acting_user,
        action="create glossaries",
        name_max=256,
        domain=domain,
        owning_project=owning_project,
        name=name,
        description=description,
        status=status,
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
    set_owned_changes(glossary, changes, name_max=256)
    return save_unique(
        glossary,
        {
            "name": f"Domain '{glossary.domain.name}' already has a glossary named '{glossary.name}'."
        },
    )
