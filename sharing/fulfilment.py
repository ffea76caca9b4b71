"""Running grants and revokes: compare-and-set, one table at a time, retries, outcomes.

Each function takes a grant id, re-reads the row and returns quietly when there is
nothing to do (already done, or another worker owns it), so a message delivered twice or
a task retried by the sweep never does the work twice. AWS (or the cluster) is called
outside any transaction; the outcome is written by compare-and-set from the state this
worker set, so a concurrent change (the subscription ended meanwhile) is seen, not lost.
"""

import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meshportal.locks import advisory_lock
from subscriptions.choices import SubscriptionStatus

from . import events, specs
from .backends import GrantError, LakeFormationBackend, RedshiftBackend, registered_location
from .backends.lakeformation import step_key
from .choices import GrantBackend, GrantStatus
from .models import SubscriptionGrant

logger = logging.getLogger(__name__)

_RELATED = (
    "subscription__listing__asset__data_source__environment__profile__aws_account",
    "subscription__project",
    "environment__profile__aws_account",
)


# A listing's search columns and snapshot (and the asset's description) can be large and
# no grant reads them: one query with every related row, without those.
_UNUSED = (
    "subscription__listing__snapshot",
    "subscription__listing__search_vector",
    "subscription__listing__name_vector",
    "subscription__listing__search_text",
    "subscription__listing__form_facets",
    "subscription__listing__asset__description",
)


def _load(grant_id):
    return (
        SubscriptionGrant.objects.select_related(*_RELATED)
        .defer(*_UNUSED)
        .filter(pk=grant_id)
        .first()
    )


class TableBusy(Exception):
    """Another grant or revoke on the same table holds its lock for too long."""


class _table_lock:
    """Session advisory lock on the shared table, waited for (not skipped): a grant and a
    revoke on one table must run one after the other, never side by side."""

    def __init__(self, key: str):
        self.key = f"sharing:{key}"
        self._lock = None

    def __enter__(self):
        deadline = time.monotonic() + settings.SHARING_LOCK_WAIT_SECONDS
        while True:
            lock = advisory_lock(self.key)
            if lock.__enter__():
                self._lock = lock
                return self
            lock.__exit__(None, None, None)
            if time.monotonic() > deadline:
                raise TableBusy(self.key)
            time.sleep(0.05 + random.random() * 0.1)  # noqa: S311

    def __exit__(self, *exc):
        self._lock.__exit__(*exc)


def _move(grant, old, new, **fields) -> bool:
    moved = SubscriptionGrant.objects.filter(pk=grant.pk, status=old).update(
        status=new, updated_at=timezone.now(), **fields
    )
    if moved:
        grant.status = new
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(grant, name, value)
    return bool(moved)


def retry_delay(attempts: int) -> float:
    """Backoff with full jitter between attempts of one grant (seconds)."""
    base = settings.SHARING_RETRY_BASE_SECONDS
    return random.uniform(base, base * 2 ** min(attempts, 8))  # noqa: S311


def _enqueue_later(task, grant_id, countdown: float) -> None:
    transaction.on_commit(lambda: task.apply_async(args=[str(grant_id)], countdown=countdown))


# --- grant ---------------------------------------------------------------------------------


def _start_attempt(grant, waiting, running) -> bool:
    """Claim the grant for this attempt (compare-and-set from ``waiting``) and count it;
    False when another worker got there first."""
    if not _move(grant, waiting, running, attempts=F("attempts") + 1, started_at=timezone.now()):
        return False
    grant.attempts += 1  # as the compare-and-set just wrote (no re-read)
    return True


def fulfil(grant_id) -> str:
    from .tasks import grant_fulfil

    grant = _load(grant_id)
    if grant is None or grant.status != GrantStatus.PENDING or grant.backend == GrantBackend.MANUAL:
        return "nothing to do"
    try:
        with _table_lock(grant.lock_key):
            if not _start_attempt(grant, GrantStatus.PENDING, GrantStatus.IN_PROGRESS):
                return "superseded"
            try:
                target = _run_grant(grant)
            except _Manual as manual:
                return _became_manual(grant, manual.reason)
            except GrantError as error:
                return _grant_failed(grant, error, grant_fulfil)
            except Exception as error:  # a bug must not leave the grant IN_PROGRESS
                logger.exception("Grant %s failed unexpectedly", grant.pk)
                return _grant_failed(
                    grant,
                    GrantError(
                        f"Unexpected error ({type(error).__name__}: {error}). Retry; if it "
                        "fails again, ask a platform admin to check the portal's logs.",
                        transient=False,
                    ),
                    grant_fulfil,
                )
            return _granted(grant, target)
    except TableBusy:
        _enqueue_later(grant_fulfil, grant.pk, retry_delay(1))
        return "table busy"


class _Manual(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _run_grant(grant) -> dict:
    if grant.backend == GrantBackend.LAKE_FORMATION:
        spec = specs.lake_formation_spec(grant)
        if not spec.location or registered_location(spec.producer, spec.location) is None:
            raise _Manual(
                f"Table {spec.database}.{spec.table} is not managed by Lake Formation (its "
                f"location {spec.location or '(none)'} lies under no registered location), so "
                "access goes through IAM and S3 policies, which the producing team sets."
            )
        return LakeFormationBackend().grant(spec)
    spec = specs.redshift_spec(grant)
    reason = spec.manual_reason()
    if reason:
        raise _Manual(reason)
    from projects import redshift

    connection = redshift.connect(specs.producer_profile(grant.subscription.listing.asset))
    try:
        return RedshiftBackend().grant(connection, spec)
    finally:
        connection.close()


def _granted(grant, target: dict) -> str:
    from .tasks import grant_revoke

    with transaction.atomic():
        if not _move(
            grant,
            GrantStatus.IN_PROGRESS,
            GrantStatus.GRANTED,
            target=target,
            granted_at=timezone.now(),
            failure_cause="",
            failed_at=None,
            started_at=None,
        ):
            return "superseded"
        events.record(grant, message=events.granted_message(grant), notify_consumer=True)
        # The subscription may have ended while AWS was granting (its receiver leaves an
        # IN_PROGRESS grant to us): take the access away again at once.
        status = (
            type(grant.subscription)
            .objects.values_list("status", flat=True)
            .get(pk=grant.subscription_id)
        )
        if status != SubscriptionStatus.APPROVED and _move(
            grant, GrantStatus.GRANTED, GrantStatus.REVOKE_PENDING
        ):
            events.announce(grant)
            _enqueue_later(grant_revoke, grant.pk, 0)
    return "granted"


def _grant_failed(grant, error: GrantError, task) -> str:
    return _attempt_failed(
        grant,
        error,
        task,
        running=GrantStatus.IN_PROGRESS,
        retry=GrantStatus.PENDING,
        failed=GrantStatus.GRANT_FAILED,
        message=f"Granting access in {grant.environment.name} failed: {error.message}",
        notify_consumer=True,
    )


def _attempt_failed(
    grant, error: GrantError, task, *, running, retry, failed, message, notify_consumer=False
) -> str:
    """A grant or revoke attempt that raised: a transient error goes back to ``retry``
    (PENDING / REVOKE_PENDING) with a backoff while attempts remain; anything else ends
    in ``failed`` with an event. Both moves are compare-and-set from ``running``, so an
    attempt that someone else superseded changes nothing."""
    now = timezone.now()
    target = error.target if error.target is not None else grant.target
    with transaction.atomic():
        if error.transient and grant.attempts < settings.SHARING_MAX_ATTEMPTS:
            delay = retry_delay(grant.attempts)
            if _move(
                grant,
                running,
                retry,
                target=target,
                failure_cause=error.message[:4000],
                failed_at=now,
                started_at=None,
                next_attempt_at=now + timedelta(seconds=delay),
            ):
                _enqueue_later(task, grant.pk, delay)
                return "retrying"
            return "superseded"
        if not _move(
            grant,
            running,
            failed,
            target=target,
            failure_cause=error.message[:4000],
            failed_at=now,
            started_at=None,
        ):
            return "superseded"
        events.record(grant, message=message, notify_consumer=notify_consumer)
    return "failed"


def _became_manual(grant, reason: str) -> str:
    with transaction.atomic():
        if not _move(
            grant,
            GrantStatus.IN_PROGRESS,
            GrantStatus.PENDING,
            backend=GrantBackend.MANUAL,
            manual_reason=reason,
            target={"backend": "MANUAL", "reason": reason},
            started_at=None,
        ):
            return "superseded"
        events.record(
            grant,
            message=f"Access in {grant.environment.name} is provided by the producing team: "
            f"{reason}",
            notify_consumer=True,
        )
        events.ask_producers(grant, revoke=False)
    return "manual"


# --- revoke --------------------------------------------------------------------------------


def _still_needed(grant) -> frozenset:
    """Lake Formation permissions other live grants on the same table also recorded."""
    others = SubscriptionGrant.objects.filter(
        lock_key=grant.lock_key,
        status__in=[GrantStatus.GRANTED, GrantStatus.IN_PROGRESS, GrantStatus.PENDING],
    ).exclude(pk=grant.pk)
    return frozenset(
        step_key(step)
        for target in others.values_list("target", flat=True)
        for step in (target or {}).get("steps", [])
        if step.get("type") == "permission"
    )


def _schema_still_used(grant) -> bool:
    target = grant.target
    return (
        SubscriptionGrant.objects.filter(
            environment_id=grant.environment_id,
            backend=GrantBackend.REDSHIFT,
            status__in=[GrantStatus.GRANTED, GrantStatus.IN_PROGRESS],
            target__schema=target.get("schema"),
        )
        .exclude(pk=grant.pk)
        .exists()
    )


def revoke(grant_id) -> str:
    from .tasks import grant_revoke

    grant = _load(grant_id)
    if grant is None or grant.status != GrantStatus.REVOKE_PENDING:
        return "nothing to do"
    if grant.backend == GrantBackend.MANUAL:
        return "manual"
    try:
        with _table_lock(grant.lock_key):
            if not _start_attempt(
                grant, GrantStatus.REVOKE_PENDING, GrantStatus.REVOKE_IN_PROGRESS
            ):
                return "superseded"
            try:
                left = _run_revoke(grant)
            except GrantError as error:
                return _revoke_failed(grant, error, grant_revoke)
            except Exception as error:
                logger.exception("Revoke of grant %s failed unexpectedly", grant.pk)
                return _revoke_failed(
                    grant,
                    GrantError(
                        f"Unexpected error ({type(error).__name__}: {error}). Retry; if it "
                        "fails again, ask a platform admin to check the portal's logs.",
                        transient=False,
                    ),
                    grant_revoke,
                )
            with transaction.atomic():
                if not _move(
                    grant,
                    GrantStatus.REVOKE_IN_PROGRESS,
                    GrantStatus.REVOKED,
                    target=left,
                    revoked_at=timezone.now(),
                    failure_cause="",
                    failed_at=None,
                    started_at=None,
                ):
                    return "superseded"
                events.record(
                    grant,
                    message=f"Access to {grant.subscription.listing.name} in environment "
                    f"{grant.environment.name} was taken away.",
                    notify_consumer=True,
                )
            return "revoked"
    except TableBusy:
        _enqueue_later(grant_revoke, grant.pk, retry_delay(1))
        return "table busy"


def _run_revoke(grant) -> dict:
    target = grant.target or {}
    if target.get("backend") == "LAKE_FORMATION":
        return LakeFormationBackend().revoke(target, keep=_still_needed(grant))
    if target.get("backend") == "REDSHIFT":
        from projects import redshift

        connection = redshift.connect(specs.producer_profile(grant.subscription.listing.asset))
        try:
            return RedshiftBackend().revoke(
                connection, target, keep_schema_usage=_schema_still_used(grant)
            )
        finally:
            connection.close()
    return target  # nothing was created


def _revoke_failed(grant, error: GrantError, task) -> str:
    return _attempt_failed(
        grant,
        error,
        task,
        running=GrantStatus.REVOKE_IN_PROGRESS,
        retry=GrantStatus.REVOKE_PENDING,
        failed=GrantStatus.REVOKE_FAILED,
        message=f"Taking access away in {grant.environment.name} failed: {error.message}",
    )
