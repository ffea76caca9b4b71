"""Grants: how an approved subscription becomes access in AWS, per target environment."""

from django.db import models
from django.db.models import Q

from meshportal.models import BaseModel, user_reference

from .choices import GrantBackend, GrantStatus

FAILURE_CAUSE_MAX_LENGTH = 4000


class SubscriptionGrant(BaseModel):
    """One subscription's access in one environment of the subscriber project.

    ``target`` is what the backend created (principals, permissions, resource links,
    Redshift statements) exactly as it recorded it, so that revoke and reconciliation undo
    and check that, not what today's settings would create. ``status`` moves only by
    compare-and-set from tasks and services; ``attempts`` counts fulfilment attempts (for
    the backoff and for people). ``lock_key`` names the shared table: grants and revokes
    on one table take an advisory lock on it, so an approve racing a revoke cannot leave
    a permission behind.
    """

    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.CASCADE, related_name="grants"
    )
    environment = models.ForeignKey(
        "projects.Environment", on_delete=models.CASCADE, related_name="grants"
    )
    backend = models.CharField(max_length=16, choices=GrantBackend.choices)
    status = models.CharField(
        max_length=20, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    failure_cause = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    manual_reason = models.TextField(
        blank=True, help_text="Why a person must do this grant (MANUAL), shown to both sides."
    )
    target = models.JSONField(default=dict, blank=True)
    lock_key = models.CharField(max_length=1100, blank=True)
    started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the running attempt began (for the sweep)."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    updated_by = user_reference()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "environment"], name="grant_one_per_environment"
            )
        ]
        indexes = [
            models.Index(fields=["status", "started_at"], name="grant_status_started"),
            models.Index(fields=["environment", "status"], name="grant_environment_status"),
            models.Index(fields=["lock_key"], name="grant_lock_key"),
        ]

    def __str__(self):
        return f"{self.subscription_id} → {self.environment_id} ({self.status})"


class EnvironmentRole(BaseModel):
    """An extra IAM role (an ETL job's, a BI tool's) that receives every grant of the
    environment, besides the environment's own grant role: DataZone grants only its
    project role, and people then copy permissions by hand."""

    environment = models.ForeignKey(
        "projects.Environment", on_delete=models.CASCADE, related_name="extra_roles"
    )
    role_arn = models.CharField(max_length=2048)
    added_by = user_reference()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "role_arn"], name="environment_role_unique"
            )
        ]

    def __str__(self):
        return self.role_arn


class DriftFinding(BaseModel):
    """A Lake Formation permission on a shared table, for a portal-managed principal,
    that no grant explains. Reported on an admin page, never removed by the portal:
    someone may have granted it on purpose. Resolved when a later pass no longer sees it."""

    account_id = models.CharField(max_length=12)
    principal = models.CharField(max_length=2048)
    resource = models.JSONField()
    permissions = models.JSONField(default=list)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=Q(resolved_at=None),
                name="drift_one_open_per_fingerprint",
            )
        ]

    def __str__(self):
        return f"{self.principal} on {self.resource}"
