"""Checks of what a person types into a subscription request or decision (the services'
input; each refusal names its field, as the pages and the API show it)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone


def clean_text(value, field: str, max_length: int, *, required: bool, what: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"Enter {what} as text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"Enter {what}; it cannot be empty."})
    if len(value) > max_length:
        raise ValidationError(
            {field: f"Use at most {max_length} characters (this has {len(value)})."}
        )
    return value


def clean_expiry(value, field: str = "expires_at"):
    """A date or datetime in the future; a date means the end of that day (UTC)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time.max, tzinfo=datetime.UTC)
    else:
        raise ValidationError({field: "Enter a date such as 2027-06-30."})
    if moment <= timezone.now():
        raise ValidationError({field: "The expiry date must be in the future."})
    return moment
