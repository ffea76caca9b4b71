"""A grant task: claim a batch of waiting grants, grant them, write their outcomes.

Approving many subscriptions (a project onboarding onto a domain's data) makes many
grants PENDING. Their commits queue one grant task between them (``enqueue``, debounced
like the webhooks fan-out); when it starts it claims its own grant and up to
``SHARING_GRANT_BATCH_SIZE - 1`` other due grants in one statement, and queues the next
task when that first batch is full (for another worker to share the work). Same-account Lake Formation grants are then made together
(backends/lakeformation_batch.py: a resource link each, one Lake Formation call per twenty
permissions) and their outcomes written in one transaction, with one INSERT for all their
outbox events, one for their timeline lines and one for the notifications. Cross-account,
Redshift and unmanaged tables go one by one, as before (fulfilment.fulfil_claimed).
While batches come full the task goes on to the next (up to
``SHARING_GRANT_BATCHES_PER_TASK``), each batch's AWS calls on a second thread while the
task's own writes the previous batch and claims the next (``_grant_batches``).

The rules of fulfilment.py hold per grant: the claim is a compare-and-set from PENDING (a
grant in backoff is not due before its ``next_attempt_at``; its own delayed task takes
it); AWS is called only while the grant's table is locked and outside any transaction;
each outcome is a compare-and-set from the claim, so a subscription that ended meanwhile
is seen, not lost; a task delivered twice does nothing twice.
"""

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from meshportal.celery import tasks_run_inline
from meshportal.debounce import Debounce
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription

from . import events, fulfilment, specs
from .backends import GrantError, LakeFormationBackend, registered_location
from .choices import GrantBackend, GrantStatus
from .models import SubscriptionGrant

logger = logging.getLogger(__name__)

_GRANTS = SubscriptionGrant._meta.db_table
# "A grant task is queued": approvals in a burst queue one task, which claims them all.
_QUEUED = Debounce("sharing:grant-task-queued", ttl_seconds=30)


def enqueue(grant_id) -> None:
    """Queue a grant task for ``grant_id`` unless one is queued already (that one will
    claim it: it takes every due grant when it starts). After the commit that made the
    grant PENDING."""
    from .tasks import grant_fulfil

    if _QUEUED.claim():
        grant_fulfil.delay(str(grant_id))


def fulfil(grant_id) -> str:
    """Claim the grant (with a batch of others), grant them all, write the outcomes; while
    there are more, claim the next batch, up to SHARING_GRANT_BATCHES_PER_TASK batches.

    Returns what happened to ``grant_id`` (``granted``, ``failed``, ``retrying``,
    ``manual``, ``table busy``, ``superseded`` or ``nothing to do``), with how many grants
    the task carried when it carried others.
    """
    _QUEUED.release()  # before claiming: a grant made PENDING from now on queues a task
    ids = _claim(grant_id, timezone.now())
    if not ids:
        return "nothing to do"
    if len(ids) >= settings.SHARING_GRANT_BATCH_SIZE:
        enqueue(grant_id)  # more may wait: another worker can take a share meanwhile
    first = _Batch(ids, grant_id)
    outcomes, batches = _grant_batches(first, grant_id)
    own = first.own
    if own is not None and not own.table_locked:
        # Its own table is busy (a revoke, or another grant of it, is running): wait for
        # it, as long as SHARING_LOCK_WAIT_SECONDS allows, after the others are done.
        try:
            with fulfilment.table_lock(own.lock_key):
                outcomes.update(_fulfil_locked([own]))
        except fulfilment.TableBusy:
            outcomes[own.pk] = _put_back(own)
    answer = outcomes.get(own.pk, "nothing to do") if own is not None else "nothing to do"
    carried = sum(batch.size for batch in batches)
    if carried == 1:
        return answer
    if len(batches) == 1:
        return f"{answer} (batch of {carried})"
    return f"{answer} ({carried} grants in {len(batches)} batches)"


class _Batch:
    """One claim's grants on their way: loaded with a try at each table's lock; the busy
    ones put back, the others split into those granted together (``together``, AWS's
    answers in ``results``) and those granted one by one (``alone``)."""

    def __init__(self, ids, own_id):
        order = {pk: n for n, pk in enumerate(ids)}
        self.size = len(ids)
        self.grants = sorted(fulfilment.load_many(ids, try_lock=True), key=lambda g: order[g.pk])
        self.own = next((g for g in self.grants if str(g.pk) == str(own_id)), None)
        self.locked = [grant for grant in self.grants if grant.table_locked]
        self.together, self.alone, self.results = [], [], []
        self.unlocked = False

    def prepare(self) -> dict:
        """Put back the grants whose tables are busy (not the task's own: it waits) and
        sort the others; the outcomes of those put back."""
        outcomes = {
            grant.pk: _put_back(grant)
            for grant in self.grants
            if not grant.table_locked and grant is not self.own
        }
        self.together, self.alone = _split(self.locked)
        return outcomes

    def grant_alone(self) -> dict:
        return {grant.pk: fulfilment.fulfil_claimed(grant) for grant in self.alone}

    def finish(self) -> dict:
        """Write the outcomes of the grants made together, then let go of the tables."""
        try:
            return _write_batch(self.together, self.results)
        finally:
            self.unlock()

    def unlock(self) -> None:
        if not self.unlocked:
            self.unlocked = True
            fulfilment.unlock_all(grant.lock_key for grant in self.locked)


def _grant_batches(first: _Batch, grant_id) -> tuple[dict, list]:
    """Grant ``first``, and while batches come full, the next ones: each batch's AWS calls
    run on a second thread while this one writes the previous batch's outcomes, grants
    the batch's lone grants and claims the next batch.

    A batch's SQL (its claim, its rows, its outcomes) was about a third of its time and its
    AWS calls the rest. Side by side, a batch of 20 takes about 120 ms instead of 140 on
    moto, not its AWS time alone: this thread's Django code and the other's boto3 share
    one interpreter lock, so the AWS calls slow down while the SQL side runs.
    Only AWS is called on the second thread (no database: a connection is per thread, and
    the table locks are this one's session's). A batch with nothing beside it is granted
    here, as one batch alone always was; so is every batch when tasks run inline (eager):
    a revoke that a write queues (a subscription ended while AWS granted) would then run
    in this session, where the table locks are re-entrant, beside AWS calls on its table.
    Returns the outcomes and the batches carried.
    """
    size = settings.SHARING_GRANT_BATCH_SIZE
    per_task = max(1, settings.SHARING_GRANT_BATCHES_PER_TASK)
    beside_allowed = not tasks_run_inline()
    outcomes, batches = {}, [first]

    def claim_next():
        ids = _claim(grant_id, timezone.now())
        if not ids:
            return None
        batch = _Batch(ids, None)
        batches.append(batch)
        outcomes.update(batch.prepare())
        return batch

    current, previous = first, None
    try:
        outcomes.update(first.prepare())
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="grant-batch") as aws_thread:
            while current is not None:
                more = current.size >= size and len(batches) < per_task
                beside = beside_allowed and (previous is not None or current.alone or more)
                calls = aws_thread.submit(_attempt_batch, current.together) if beside else None
                try:
                    if previous is not None:
                        outcomes.update(previous.finish())
                    outcomes.update(current.grant_alone())
                    if calls is None:
                        current.results = _attempt_batch(current.together)
                    following = claim_next() if more else None
                finally:
                    if calls is not None:
                        current.results = calls.result()  # never raises: see _attempt_batch
                previous, current = current, following
            outcomes.update(previous.finish())
    finally:
        # After an error (a database gone, a bug) the claimed grants stay IN_PROGRESS for
        # the sweep; their tables must not stay locked in this worker's session.
        for batch in batches:
            batch.unlock()
    return outcomes, batches


def _fulfil_locked(grants) -> dict:
    """Grant claimed grants whose tables this worker holds: Lake Formation ones of one
    account together, the others one by one."""
    batch, alone = _split(grants)
    outcomes = {grant.pk: fulfilment.fulfil_claimed(grant) for grant in alone}
    outcomes.update(_write_batch(batch, _attempt_batch(batch)))
    return outcomes


def _claim(grant_id, claimed_at) -> list:
    """PENDING → IN_PROGRESS for the grant and up to BATCH_SIZE - 1 other due grants, in
    one statement; the claimed ids, the grant's own first.

    ``FOR UPDATE SKIP LOCKED``: two workers claiming at once take different grants
    instead of waiting for each other. The pick is a MATERIALIZED CTE: as a plain ``IN``
    subquery, PostgreSQL may run it again for each row it updates, and every run skips
    the rows this statement just updated, so LIMIT stops limiting. The outer ``status``
    check makes the update a compare-and-set even for a row another transaction changed
    after the pick read it. MANUAL grants wait for a person, never for a worker.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH picked AS MATERIALIZED (
                SELECT id FROM {_GRANTS}
                 WHERE status = %(waiting)s AND backend <> %(manual)s
                   AND (id = %(own)s OR next_attempt_at IS NULL OR next_attempt_at <= %(now)s)
                 ORDER BY id = %(own)s DESC, created_at
                 LIMIT %(size)s
                 FOR UPDATE SKIP LOCKED)
            UPDATE {_GRANTS}
               SET status = %(running)s, attempts = attempts + 1,
                   started_at = %(now)s, updated_at = %(now)s
             WHERE status = %(waiting)s AND id IN (SELECT id FROM picked)
            RETURNING id
            """,  # noqa: S608 (the table name is the model's, not input)
            {
                "running": GrantStatus.IN_PROGRESS,
                "waiting": GrantStatus.PENDING,
                "manual": GrantBackend.MANUAL,
                "own": str(grant_id),
                "now": claimed_at,
                "size": max(1, settings.SHARING_GRANT_BATCH_SIZE),
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    # RETURNING keeps no order: the grant's own id first, as the task's answer is about it.
    return sorted(ids, key=lambda pk: str(pk) != str(grant_id))


def _put_back(grant) -> str:
    """A claimed grant whose table another grant or revoke holds goes back to PENDING,
    not counted as an attempt, and is tried again after a short pause (its own task, or
    a batch that claims it when it is due)."""
    from .tasks import grant_fulfil

    delay = fulfilment.retry_delay(1)
    with transaction.atomic():
        if fulfilment.move(
            grant,
            GrantStatus.IN_PROGRESS,
            GrantStatus.PENDING,
            Q(updated_at=grant.updated_at),  # as this claim left it
            attempts=grant.attempts - 1,
            started_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        ):
            fulfilment.enqueue_later(grant_fulfil, grant.pk, delay)
            return "table busy"
    return "superseded"


def _split(grants) -> tuple[list, list]:
    """(grant, spec) pairs to grant in a batch — same-account Lake Formation on a
    registered location — and the grants that go one by one."""
    batch, alone = [], []
    for grant in grants:
        if grant.backend != GrantBackend.LAKE_FORMATION:
            alone.append(grant)
            continue
        try:
            spec = specs.lake_formation_spec(grant)
            managed = bool(spec.location) and registered_location(spec.producer, spec.location)
        except Exception:  # noqa: BLE001 (a bug too must end in the grant's own outcome)
            alone.append(grant)  # it fails again there, with its reason, on its own
            continue
        if spec.cross_account or not managed:
            alone.append(grant)
        else:
            batch.append((grant, spec))
    return batch, alone


def _run_batch(batch) -> list:
    """Each (grant, spec) pair's target or GrantError, in order (AWS is called here, and
    only here)."""
    return LakeFormationBackend().grant_many([spec for _grant, spec in batch])


def _attempt_batch(batch):
    """``_run_batch``'s answers, or the unexpected error that stopped it (returned, not
    raised: it may run on another thread, and its grants must still get an outcome)."""
    if not batch:
        return []
    try:
        return _run_batch(batch)
    except Exception as error:  # a bug must not leave the grants IN_PROGRESS
        logger.exception("A batch of %d grants failed unexpectedly", len(batch))
        return error


def _write_batch(batch, results) -> dict:
    """The outcomes of a batch's grants, from ``_attempt_batch``'s answers."""
    from .tasks import grant_fulfil

    if not batch:
        return {}
    if isinstance(results, Exception):
        failure = fulfilment.unexpected(results)
        return {
            grant.pk: fulfilment.grant_failed(grant, failure, grant_fulfil)
            for grant, _spec in batch
        }
    outcomes, granted = {}, []
    for (grant, _spec), result in zip(batch, results, strict=True):
        if isinstance(result, GrantError):
            outcomes[grant.pk] = fulfilment.grant_failed(grant, result, grant_fulfil)
        else:
            granted.append((grant, result))
    outcomes.update(_granted_many(granted))
    return outcomes


def _granted_many(granted) -> dict:
    """IN_PROGRESS → GRANTED for the batch in one statement, then their events.

    The fast path of fulfilment.mark_granted for many rows: each row must still be as this
    claim left it and its subscription APPROVED. A row that does not move (its
    subscription ended while AWS was granting, or someone else took it) goes through
    ``mark_granted`` on its own, which finds out why and takes the access away again.
    """
    if not granted:
        return {}
    now = timezone.now()
    with transaction.atomic():
        fulfilment.commit_without_waiting_for_disk()
        moved = _move_to_granted(granted, now)
        done = []
        for grant, target in granted:
            if grant.pk in moved:
                grant.status, grant.target, grant.granted_at = GrantStatus.GRANTED, target, now
                grant.failure_cause, grant.failed_at, grant.started_at = "", None, None
                grant.updated_at = now
                done.append(grant)
        events.record_granted(done)
    outcomes = dict.fromkeys((grant.pk for grant in done), "granted")
    for grant, target in granted:
        if grant.pk not in moved:
            outcomes[grant.pk] = fulfilment.mark_granted(grant, target)
    return outcomes


def _move_to_granted(granted, now) -> set:
    """The batch's rows IN_PROGRESS → GRANTED where each is as its claim left it and its
    subscription is APPROVED; the ids moved.

    The subscription is checked per grant row by a scalar subquery (a primary-key look-up),
    not EXISTS: PostgreSQL may turn EXISTS into a join and, with statistics taken before a
    burst of approvals (one APPROVED subscription, it believed), it started that join from
    every APPROVED subscription, probing the grants for each: a statement that grew with
    every subscription ever approved (15 ms a batch after 500, 27 ms after 1,000). The
    subquery cannot be turned around.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {_GRANTS} AS g
               SET status = %(granted)s, target = v.target::jsonb, granted_at = %(now)s,
                   failure_cause = '', failed_at = NULL, started_at = NULL, updated_at = %(now)s
              FROM unnest(%(ids)s::uuid[], %(targets)s::text[], %(claimed)s::timestamptz[])
                   AS v(id, target, claimed_at)
             WHERE g.id = v.id AND g.status = %(running)s AND g.updated_at = v.claimed_at
               AND (SELECT s.status FROM {Subscription._meta.db_table} AS s
                     WHERE s.id = g.subscription_id) = %(approved)s
            RETURNING g.id
            """,  # noqa: S608 (table names are the models', not input)
            {
                "granted": GrantStatus.GRANTED,
                "running": GrantStatus.IN_PROGRESS,
                "approved": SubscriptionStatus.APPROVED,
                "now": now,
                "ids": [str(grant.pk) for grant, _ in granted],
                "targets": [json.dumps(target, cls=DjangoJSONEncoder) for _, target in granted],
                "claimed": [grant.updated_at for grant, _ in granted],
            },
        )
        return {row[0] for row in cursor.fetchall()}
