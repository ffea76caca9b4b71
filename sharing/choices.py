from meshportal.choices import ChoiceSet


class GrantBackend(ChoiceSet):
    LAKE_FORMATION = "LAKE_FORMATION", "Lake Formation"
    REDSHIFT = "REDSHIFT", "Redshift"
    MANUAL = "MANUAL", "Manual (by the producing team)"


class GrantStatus(ChoiceSet):
    PENDING = "PENDING", "Pending", "warning"
    IN_PROGRESS = "IN_PROGRESS", "Granting", "info"
    GRANTED = "GRANTED", "Granted", "success"
    GRANT_FAILED = "GRANT_FAILED", "Grant failed", "danger"
    REVOKE_PENDING = "REVOKE_PENDING", "Revoke pending", "warning"
    REVOKE_IN_PROGRESS = "REVOKE_IN_PROGRESS", "Revoking", "info"
    REVOKED = "REVOKED", "Revoked", "danger"
    REVOKE_FAILED = "REVOKE_FAILED", "Revoke failed", "danger"

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


# What POST …/subscription-grants/{id}/status/ accepts (a person reports a MANUAL grant):
# the states MANUAL_TRANSITIONS leads to, so the two cannot disagree.
ManualGrantStatus = ChoiceSet(
    "ManualGrantStatus",
    [(status.name, (status.value, status.label)) for status in MANUAL_TRANSITIONS],
)
