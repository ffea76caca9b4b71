"""Enumerations of the subscriptions app. Values are the API's upper-case names."""

from django.db import models

from meshportal.choices import with_colors


@with_colors(
    {"PENDING": "warning", "ACCEPTED": "success", "REJECTED": "muted", "CANCELLED": "muted"}
)
class SubscriptionRequestStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    ACCEPTED = "ACCEPTED", "Accepted"
    REJECTED = "REJECTED", "Rejected"
    CANCELLED = "CANCELLED", "Cancelled"


@with_colors({"APPROVED": "success", "REVOKED": "danger", "CANCELLED": "muted"})
class SubscriptionStatus(models.TextChoices):
    APPROVED = "APPROVED", "Approved"
    REVOKED = "REVOKED", "Revoked"
    CANCELLED = "CANCELLED", "Cancelled"


@with_colors(
    {
        "REQUESTED": "info",
        "ACCEPTED": "success",
        "REJECTED": "muted",
        "CANCELLED": "muted",
        "REVOKED": "danger",
        "EXPIRED": "danger",
        "EXPIRY_WARNING": "warning",
        "REPUBLISHED": "info",
        "GRANT": "info",
    }
)
class SubscriptionEventKind(models.TextChoices):
    """A line of the timeline; GRANT is written by the sharing app for each grant change."""

    REQUESTED = "REQUESTED", "Requested"
    ACCEPTED = "ACCEPTED", "Accepted"
    REJECTED = "REJECTED", "Rejected"
    CANCELLED = "CANCELLED", "Cancelled"
    REVOKED = "REVOKED", "Revoked"
    EXPIRED = "EXPIRED", "Expired"
    EXPIRY_WARNING = "EXPIRY_WARNING", "Expiry warning"
    REPUBLISHED = "REPUBLISHED", "Republished"
    GRANT = "GRANT", "Grant"


class Direction(models.TextChoices):
    """Filters of the request list: requests to decide (incoming) or made (outgoing)."""

    INCOMING = "incoming", "Incoming"
    OUTGOING = "outgoing", "Outgoing"


class SubscriptionDirection(models.TextChoices):
    """Filters of the subscription list: what my projects consume or provide."""

    CONSUMED = "consumed", "Consumed"
    PROVIDED = "provided", "Provided"
