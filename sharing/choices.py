from django.db import models

from meshportal.choices import with_colors


class GrantBackend(models.TextChoices):
    LAKE_FORMATION = "LAKE_FORMATION", "Lake Formation"
    REDSHIFT = "REDSHIFT", "Redshift"
    MANUAL = "MANUAL", "Manual (by the producing team)"


@with_colors(
    {
        "PENDING": "warning",
        "IN_PROGRESS": "info",
        "GRANTED": "success",
        "GRANT_FAILED": "danger",
        "REVOKE_PENDING": "warning",
        "REVOKE_IN_PROGRESS": "info",
        "REVOKED": "danger",
        "REVOKE_FAILED": "danger",
    }
)
class GrantStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    IN_PROGRESS = "IN_PROGRESS", "Granting"
    GRANTED = "GRANTED", "Granted"
    GRANT_FAILED = "GRANT_FAILED", "Grant failed"
    REVOKE_PENDING = "REVOKE_PENDING", "Revoke pending"
    REVOKE_IN_PROGRESS = "REVOKE_IN_PROGRESS", "Revoking"
    REVOKED = "REVOKED", "Revoked"
    REVOKE_FAILED = "REVOKE_FAILED", "Revoke failed"

    @property
    def is_active(self) -> bool:
        """The grant gives (or is about to give) access."""
        return self in {GrantStatus.PENDING, GrantStatus.IN_PROGRESS, GrantStatus.GRANTED}


# What a MANUAL grant's fulfiller may report, and from which states.
MANUAL_TRANSITIONS = {
    GrantStatus.GRANTED: {GrantStatus.PENDING, GrantStatus.GRANT_FAILED},
    GrantStatus.GRANT_FAILED: {GrantStatus.PENDING},
    GrantStatus.REVOKED: {GrantStatus.REVOKE_PENDING, GrantStatus.REVOKE_FAILED},
    GrantStatus.REVOKE_FAILED: {GrantStatus.REVOKE_PENDING},
}


class ManualGrantStatus(models.TextChoices):
    """What POST …/subscription-grants/{id}/status/ accepts (a person reports a MANUAL grant)."""

    GRANTED = "GRANTED", "Granted"
    GRANT_FAILED = "GRANT_FAILED", "Grant failed"
    REVOKED = "REVOKED", "Revoked"
    REVOKE_FAILED = "REVOKE_FAILED", "Revoke failed"
