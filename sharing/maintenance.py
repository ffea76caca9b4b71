"""Work on grants besides fulfilling and revoking them: roles added to or removed from
an environment, and the sweep of grants whose worker stopped (see fulfilment.py for the
rules every task here follows)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import events, specs
from .backends import GrantError, LakeFormationBackend
from .choices import GrantBackend, GrantStatus
from .fulfilment import load, still_needed, table_lock
from .models import SubscriptionGrant

# --- roles added to or removed from an environment -----------------------------------------


def refresh_principals(grant_id) -> str:
    """Grant a GRANTED Lake Formation grant again with the environment's current roles
    (idempotent for those that had it), recording the new steps."""
    grant = load(grant_id)
    if grant is None or grant.status != GrantStatus.GRANTED:
        return "nothing to do"
    if grant.backend != GrantBackend.LAKE_FORMATION:
        return "nothing to do"
    with table_lock(grant.lock_key):
        try:
            target = LakeFormationBackend().grant(specs.lake_formation_spec(grant))
        except GrantError as error:
            target = error.target
            message = f"Granting to the environment's new role failed: {error.message}"
            events.record(grant, message=message, notify_consumer=True, status_changed=False)
            if target:
                SubscriptionGrant.objects.filter(pk=grant.pk, status=GrantStatus.GRANTED).update(
                    target=target, updated_at=timezone.now()
                )
            return "failed"
        SubscriptionGrant.objects.filter(pk=grant.pk, status=GrantStatus.GRANTED).update(
            target=target, updated_at=timezone.now()
        )
    return "granted"


def drop_principal(grant_id, role_arn: str) -> str:
    grant = load(grant_id)
    if grant is None or grant.status != GrantStatus.GRANTED:
        return "nothing to do"
    if role_arn not in (grant.target or {}).get("principals", []):
        return "nothing to do"
    with table_lock(grant.lock_key):
        grant.refresh_from_db(fields=["target"])
        try:
            target = LakeFormationBackend().revoke(
                grant.target, principals=[role_arn], keep=still_needed(grant)
            )
        except GrantError as error:
            events.record(
                grant,
                message=f"Taking access away from {role_arn} failed: {error.message}",
                status_changed=False,
            )
            if error.target:
                SubscriptionGrant.objects.filter(pk=grant.pk).update(target=error.target)
            return "failed"
        SubscriptionGrant.objects.filter(pk=grant.pk).update(
            target=target, updated_at=timezone.now()
        )
    return "revoked"


# --- the sweep -----------------------------------------------------------------------------


def sweep_stuck(now=None) -> dict:
    """A worker killed mid-grant leaves IN_PROGRESS behind: after the timeout, move it
    back to PENDING (and REVOKE_IN_PROGRESS to REVOKE_PENDING) and enqueue it again. The
    backends are idempotent, so finishing the half-done work completes it exactly once."""
    from .tasks import grant_fulfil, grant_revoke

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.SHARING_GRANT_TIMEOUT)
    counts = {}
    for stuck, back, failed, task in (
        (GrantStatus.IN_PROGRESS, GrantStatus.PENDING, GrantStatus.GRANT_FAILED, grant_fulfil),
        (
            GrantStatus.REVOKE_IN_PROGRESS,
            GrantStatus.REVOKE_PENDING,
            GrantStatus.REVOKE_FAILED,
            grant_revoke,
        ),
    ):
        with transaction.atomic():
            # One that keeps stopping its worker is failed for a person to look at,
            # instead of being swept back for ever.
            SubscriptionGrant.objects.filter(
                status=stuck,
                started_at__lt=cutoff,
                attempts__gte=settings.SHARING_MAX_ATTEMPTS,
            ).update(
                status=failed,
                started_at=None,
                failed_at=now,
                failure_cause=f"The worker stopped {settings.SHARING_MAX_ATTEMPTS} times "
                "while doing this; ask a platform admin to check the workers' logs, then retry.",
                updated_at=now,
            )
            ids = list(
                SubscriptionGrant.objects.select_for_update(skip_locked=True)
                .filter(status=stuck, started_at__lt=cutoff)
                .values_list("pk", flat=True)[:500]
            )
            SubscriptionGrant.objects.filter(pk__in=ids, status=stuck).update(
                status=back, started_at=None, updated_at=now
            )
            transaction.on_commit(lambda ids=ids, task=task: [task.delay(str(i)) for i in ids])
        counts[stuck] = len(ids)
    # Messages lost with a broker restart: PENDING work long past its planned attempt.
    lost = list(
        SubscriptionGrant.objects.filter(
            status__in=[GrantStatus.PENDING, GrantStatus.REVOKE_PENDING],
            updated_at__lt=cutoff,
        )
        .exclude(backend=GrantBackend.MANUAL)
        .values_list("pk", "status")[:500]
    )
    for pk, status in lost:
        (grant_fulfil if status == GrantStatus.PENDING else grant_revoke).delay(str(pk))
    counts["requeued"] = len(lost)
    return counts
