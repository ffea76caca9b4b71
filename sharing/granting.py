"""A grant task: claim a batch of waiting grants, grant them, write their outcomes.

Approving many subscriptions (a project onboarding onto a domain's data) makes many
grants PENDING. Their commits queue one grant task between them (``enqueue``, debounced
like the webhooks fan-out); when it starts it claims its own grant and up to
``SHARING_GRANT_BATCH_SIZE - 1`` other due grants in one statement, and queues the next
task when the batch is full. Same-account Lake Formation grants are then made together
(backends/lakeformation_batch.py: a resource link each, one Lake Formation call per twenty
permissions) and their outcomes written in one transaction, with one INSERT for all their
outbox events, one for their timeline lines and one for the notifications. Cross-account,
Redshift and unmanaged tables go one by one, as before (fulfilment.fulfil_claimed).

The rules of fulfilment.py hold per grant: the claim is a compare-and-set from PENDING (a
grant in backoff is not due before its ``next_attempt_at``; its own delayed task takes
it); AWS is called only while the grant's table is locked and outside any transaction;
each outcome is a compare-and-set from the claim, so a subscription that ended meanwhile
is seen, not lost; a task delivered twice does nothing twice.
"""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

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
    """Claim the grant (with a batch of others), grant them all, write the outcomes.

    Returns what happened to ``grant_id`` (``granted``, ``failed``, ``retrying``,
    ``manual``, ``table busy``, ``superseded`` or ``nothing to do``), with the size of
    the batch when it carried others.
    """
    _QUEUED.release()  # before claiming: a grant made PENDING from now on queues a task
    claimed_at = timezone.now()
    ids = _claim(grant_id, claimed_at)
    if not ids:
        return "nothing to do"
    if len(ids) >= settings.SHARING_GRANT_BATCH_SIZE:
        enqueue(grant_id)  # more may wait: another worker can take the next batch meanwhile
    order = {pk: n for n, pk in enumerate(ids)}
    grants = sorted(fulfilment.load_many(ids, try_lock=True), key=lambda g: order[g.pk])
    own = next((g for g in grants if str(g.pk) == str(grant_id)), None)
    outcomes = {}
    locked = [grant for grant in grants if grant.table_locked]
    try:
        for grant in grants:
            if not grant.table_locked and grant is not own:
                outcomes[grant.pk] = _put_back(grant)
        outcomes.update(_fulfil_locked(locked))
    finally:
        fulfilment.unlock_all(grant.lock_key for grant in locked)
    if own is not None and not own.table_locked:
        # Its own table is busy (a revoke, or another grant of it, is running): wait for
        # it, as long as SHARING_LOCK_WAIT_SECONDS allows, after the others are done.
        try:
            with fulfilment._table_lock(own.lock_key):
                outcomes.update(_fulfil_locked([own]))
        except fulfilment.TableBusy:
            outcomes[own.pk] = _put_back(own)
    answer = outcomes.get(own.pk, "nothing to do") if own is not None else "nothing to do"
    return answer if len(ids) == 1 else f"{answer} (batch of {len(ids)})"


def _fulfil_locked(grants) -> dict:
    """Grant claimed grants whose tables this worker holds: Lake Formation ones of one
    account together, the others one by one."""
    batch, alone = _split(grants)
    outcomes = {grant.pk: fulfilment.fulfil_claimed(grant) for grant in alone}
    outcomes.update(_fulfil_batch(batch))
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
        if fulfilment._move(
            grant,
            GrantStatus.IN_PROGRESS,
            GrantStatus.PENDING,
            Q(updated_at=grant.updated_at),  # as this claim left it
            attempts=grant.attempts - 1,
            started_at=None,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        ):
            fulfilment._enqueue_later(grant_fulfil, grant.pk, delay)
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


def _fulfil_batch(batch) -> dict:
    from .tasks import grant_fulfil

    if not batch:
        return {}
    try:
        results = _run_batch(batch)
    except Exception as error:  # a bug must not leave the grants IN_PROGRESS
        logger.exception("A batch of %d grants failed unexpectedly", len(batch))
        failure = fulfilment.unexpected(error)
        return {
            grant.pk: fulfilment._grant_failed(grant, failure, grant_fulfil)
            for grant, _spec in batch
        }
    outcomes, granted = {}, []
    for (grant, _spec), result in zip(batch, results, strict=True):
        if isinstance(result, GrantError):
            outcomes[grant.pk] = fulfilment._grant_failed(grant, result, grant_fulfil)
        else:
            granted.append((grant, result))
    outcomes.update(_granted_many(granted))
    return outcomes


def _granted_many(granted) -> dict:
    """IN_PROGRESS → GRANTED for the batch in one statement, then their events.

    The fast path of fulfilment._granted for many rows: each row must still be as this
    claim left it and its subscription APPROVED. A row that does not move (its
    subscription ended while AWS was granting, or someone else took it) goes through
    ``_granted`` on its own, which finds out why and takes the access away again.
    """
    if not granted:
        return {}
    now = timezone.now()
    with transaction.atomic():
        fulfilment._commit_without_waiting_for_disk()
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
            outcomes[grant.pk] = fulfilment._granted(grant, target)
    return outcomes


def _move_to_granted(granted, now) -> set:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {_GRANTS} AS g
               SET status = %(granted)s, target = v.target::jsonb, granted_at = %(now)s,
                   failure_cause = '', failed_at = NULL, started_at = NULL, updated_at = %(now)s
              FROM unnest(%(ids)s::uuid[], %(targets)s::text[], %(claimed)s::timestamptz[])
                   AS v(id, target, claimed_at)
             WHERE g.id = v.id AND g.status = %(running)s AND g.updated_at = v.claimed_at
               AND EXISTS (SELECT 1 FROM {Subscription._meta.db_table} AS s
                            WHERE s.id = g.subscription_id AND s.status = %(approved)s)
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
