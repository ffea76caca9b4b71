"""Helpers every app's services share."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def reject_unknown_fields(changes, allowed) -> None:
    """Refuse field names a service does not take (a typo in an API body, say)."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")


def save_unique(instance, error, *, clash=None, **save_kwargs):
    """Save, reporting a unique-value clash as ``error`` (a ValidationError argument).

    ``clash`` (a queryset of rows that would collide) is checked first so the usual case
    names the field; the database's constraint catches the race between two writers.
    """
    if clash is not None and clash.exclude(pk=instance.pk).exists():
        raise ValidationError(error)
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        raise ValidationError(error) from None
    return instance
