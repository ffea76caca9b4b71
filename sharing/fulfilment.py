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
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from subscriptions.choices import SubscriptionStatus

from . import events, specs
from .backends import GrantError, LakeFormationBackend, RedshiftBackend, registered_location
from .backends.lakeformation import step_key
from .choices import GrantBackend, GrantStatus
from .models import EnvironmentRole, SubscriptionGrant

logger = logging.getLogger(__name__)

_RELATED = (
    "subscription__listing__asset__data_source__environment__profile__aws_account",
    # The producing project: its domain and name go into every outbox event of a grant.
    "subscription__listing__project",
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


def load(grant_id, *, try_lock: bool = False):
    """The grant with every row a task reads, in one query: the related rows, the
    environment's extra role ARNs (``extra_role_arns``) and, with ``try_lock``, a first
    try at the table's advisory lock (``table_locked``), which saves the lock its own
    round trip in the common case of a free table.
    """
    rows = load_many([grant_id], try_lock=try_lock)
    return rows[0] if rows else None


def load_many(grant_ids, *, try_lock: bool = False) -> list:
    """``load`` for several grants in one query (a batch), each row with its own try at
    its table's lock (a session lock is re-entrant: two grants of one table both get it,
    and each is released once).

    No ORDER BY: ordering a query with this many related rows costs Django as much to
    compile as the rest of it; callers order the few rows themselves.
    """
    queryset = (
        SubscriptionGrant.objects.select_related(*_RELATED)
        .defer(*_UNUSED)
        .annotate(
            extra_role_arns=ArraySubquery(
                EnvironmentRole.objects.filter(environment_id=OuterRef("environment_id"))
                .order_by("created_at")
                .values("role_arn")
            )
        )
    )
    if try_lock:
        queryset = queryset.annotate(
            table_locked=Func(
                Func(Concat(Value(_LOCK_PREFIX), F("lock_key")), function="hashtext"),
                function="pg_try_advisory_lock",
                output_field=BooleanField(),
            )
        )
    grant_ids = list(grant_ids)
    if len(grant_ids) == 1:  # a primary-key look-up: "=" compiles a little faster than IN
        return list(queryset.filter(pk=grant_ids[0]).order_by()[:1])
    return list(queryset.filter(pk__in=grant_ids).order_by())


_LOCK_PREFIX = "sharing:"


def _unlock(key: str) -> None:
    unlock_all([key])


def unlock_all(keys) -> None:
    """Release table locks, once per key given (a key twice: taken twice)."""
    keys = [_LOCK_PREFIX + key for key in keys]
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_unlock(hashtext(k))) FROM unnest(%s::text[]) AS k", [keys]
        )


class TableBusy(Exception):
    """Another grant or revoke on the same table holds its lock for too long."""


class table_lock:
    """Session advisory lock on the shared table, waited for (not skipped): a grant and a
    revoke on one table must run one after the other, never side by side. ``held``: the
    lock was already taken (by ``load(try_lock=True)``); it is only released here."""

    def __init__(self, key: str, *, held: bool = False):
        self.key = key
        self.held = held

    def __enter__(self):
        if self.held:
            return self
        deadline = time.monotonic() + settings.SHARING_LOCK_WAIT_SECONDS
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_lock(hashtext(%s))", [_LOCK_PREFIX + self.key]
                )
                if cursor.fetchone()[0]:
                    self.held = True
                    return self
            if time.monotonic() > deadline:
                raise TableBusy(self.key)
            time.sleep(0.05 + random.random() * 0.1)  # noqa: S311

    def __exit__(self, *exc):
        _unlock(self.key)


def move(grant, old, new, *conditions, **fields) -> bool:
    """Compare-and-set the grant's status from ``old`` to ``new`` (and ``fields``), under
    any further ``conditions`` on the grant's row; the instance follows what was written
    (``updated_at`` included: the next compare-and-set may check it)."""
    now = timezone.now()
    moved = SubscriptionGrant.objects.filter(*conditions, pk=grant.pk, status=old).update(
        status=new, updated_at=now, **fields
    )
    if moved:
        grant.status = new
        grant.updated_at = now
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(grant, name, value)
    return bool(moved)


def retry_delay(attempts: int) -> float:
    """Backoff with full jitter between attempts of one grant (seconds)."""
    base = settings.SHARING_RETRY_BASE_SECONDS
    return random.uniform(base, base * 2 ** min(attempts, 8))  # noqa: S311


def enqueue_later(task, grant_id, countdown: float) -> None:
    transaction.on_commit(lambda: task.apply_async(args=[str(grant_id)], countdown=countdown))


# --- grant ---------------------------------------------------------------------------------


def _start_attempt(grant, waiting, running) -> bool:
    """Claim the grant for this attempt (compare-and-set from ``waiting``) and count it;
    False when another worker got there first."""
    if not move(grant, waiting, running, attempts=F("attempts") + 1, started_at=timezone.now()):
        return False
    grant.attempts += 1  # as the compare-and-set just wrote (no re-read)
    return True


def fulfil_claimed(grant) -> str:
    """Grant one claimed grant (IN_PROGRESS by this worker, its table locked) by itself:
    Redshift, cross account, or a table Lake Formation does not manage (MANUAL). Same-
    account Lake Formation grants go in batches (granting.py)."""
    from .tasks import grant_fulfil

    try:
        target = _run_grant(grant)
    except _Manual as manual:
        return _became_manual(grant, manual.reason)
    except GrantError as error:
        return grant_failed(grant, error, grant_fulfil)
    except Exception as error:  # a bug must not leave the grant IN_PROGRESS
        logger.exception("Grant %s failed unexpectedly", grant.pk)
        return grant_failed(grant, unexpected(error), grant_fulfil)
    return mark_granted(grant, target)


def unexpected(error: Exception) -> GrantError:
    """What a person reads when the portal itself failed (a bug, not AWS)."""
    return GrantError(
        f"Unexpected error ({type(error).__name__}: {error}). Retry; if it "
        "fails again, ask a platform admin to check the portal's logs.",
        transient=False,
    )


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

    cluster = redshift.connect(specs.producer_profile(grant.subscription.listing.asset))
    try:
        return RedshiftBackend().grant(cluster, spec)
    finally:
        cluster.close()


def mark_granted(grant, target: dict) -> str:
    """IN_PROGRESS → GRANTED, with the timeline line and the consumer's notification.

    The subscription may have ended while AWS was granting (its receiver leaves an
    IN_PROGRESS grant to us, after touching the row's ``updated_at``): then the access is
    taken away again at once. The usual case needs no separate look at the subscription:
    the compare-and-set also requires the subscription to be APPROVED and the row to be
    as this attempt's claim left it. That last condition is on the grant's own row, so it
    holds even when the ending transaction commits while this update waits for the row
    (PostgreSQL re-checks a waiting update against the row's new version, but a subquery
    keeps the statement's older snapshot). If the fast path moves nothing, the slower one
    below finds out why, exactly as before.
    """
    from .tasks import grant_revoke

    fields = {
        "target": target,
        "granted_at": timezone.now(),
        "failure_cause": "",
        "failed_at": None,
        "started_at": None,
    }
    still_approved = Exists(
        type(grant.subscription).objects.filter(
            pk=OuterRef("subscription_id"), status=SubscriptionStatus.APPROVED
        )
    )
    with transaction.atomic():
        commit_without_waiting_for_disk()
        as_claimed = Q(updated_at=grant.updated_at)
        if move(
            grant,
            GrantStatus.IN_PROGRESS,
            GrantStatus.GRANTED,
            as_claimed,
            still_approved,
            **fields,
        ):
            events.record(grant, message=events.granted_message(grant), notify_consumer=True)
            return "granted"
        if not move(grant, GrantStatus.IN_PROGRESS, GrantStatus.GRANTED, **fields):
            return "superseded"
        events.record(grant, message=events.granted_message(grant), notify_consumer=True)
        status = (
            type(grant.subscription)
            .objects.values_list("status", flat=True)
            .get(pk=grant.subscription_id)
        )
        if status != SubscriptionStatus.APPROVED and move(
            grant, GrantStatus.GRANTED, GrantStatus.REVOKE_PENDING
        ):
            events.announce(grant)
            enqueue_later(grant_revoke, grant.pk, 0)
    return "granted"


def commit_without_waiting_for_disk() -> None:
    """This transaction's COMMIT returns before its WAL is flushed to disk (PostgreSQL's
    asynchronous commit, for this transaction only): one fsync wait less per grant.

    Safe here because a grant outcome is recoverable, not lost: if PostgreSQL crashes in
    the moment (≤ 3 × wal_writer_delay) before the flush, the row is back to IN_PROGRESS
    with no event or notification (they were in this transaction), the sweep moves it
    back to PENDING and the task grants again, idempotently. The outbox's numbering that
    follows the commit stays synchronous, and its flush covers this commit too, so
    nothing numbered (seen by a feed cursor or a webhook) can refer to a lost commit.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO off")


def grant_failed(grant, error: GrantError, task) -> str:
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
            if move(
                grant,
                running,
                retry,
                target=target,
                failure_cause=error.message[:4000],
                failed_at=now,
                started_at=None,
                next_attempt_at=now + timedelta(seconds=delay),
            ):
                enqueue_later(task, grant.pk, delay)
                return "retrying"
            return "superseded"
        if not move(
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
        if not move(
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


def still_needed(grant) -> frozenset:
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

    grant = load(grant_id, try_lock=True)
    if grant is None:
        return "nothing to do"
    if grant.status != GrantStatus.REVOKE_PENDING or grant.backend == GrantBackend.MANUAL:
        if grant.table_locked:
            _unlock(grant.lock_key)
        return "manual" if grant.status == GrantStatus.REVOKE_PENDING else "nothing to do"
    try:
        with table_lock(grant.lock_key, held=grant.table_locked):
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
                return _revoke_failed(grant, unexpected(error), grant_revoke)
            with transaction.atomic():
                if not move(
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
        enqueue_later(grant_revoke, grant.pk, retry_delay(1))
        return "table busy"


def _run_revoke(grant) -> dict:
    target = grant.target or {}
    if target.get("backend") == "LAKE_FORMATION":
        return LakeFormationBackend().revoke(target, keep=still_needed(grant))
    if target.get("backend") == "REDSHIFT":
        from projects import redshift

        cluster = redshift.connect(specs.producer_profile(grant.subscription.listing.asset))
        try:
            return RedshiftBackend().revoke(
                cluster, target, keep_schema_usage=_schema_still_used(grant)
            )
        finally:
            cluster.close()
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
