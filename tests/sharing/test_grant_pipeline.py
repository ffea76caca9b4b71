"""A grant task goes on while batches come full: each batch's AWS calls run on a thread
while the task writes the previous batch and claims the next (sharing/granting.py,
``_grant_batches``). Against moto through the fault proxy, as test_grant_batches.py."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meshportal.models import Event
from sharing import granting
from sharing.choices import GrantBackend, GrantStatus
from sharing.maintenance import sweep_stuck
from sharing.models import SubscriptionGrant
from tests.sharing.conftest import CONSUMER_ROLE_SAME, permissions_of
from tests.sharing.test_grant_batches import BATCH_TASK_QUERIES

pytestmark = pytest.mark.django_db(transaction=True)

BATCH = "/BatchGrantPermissions"
GRANTED = {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}


@pytest.fixture
def batches_of_five(settings, monkeypatch):
    """Batches of five grants, ten a task, side by side as on a worker (tasks through a
    broker; here the tasks a write queues still run inline, and none is a revoke). The
    next task's queueing is recorded, not run (inline, it would run inside this one)."""
    settings.SHARING_GRANT_BATCH_SIZE = 5
    settings.SHARING_GRANT_BATCHES_PER_TASK = 10
    monkeypatch.setattr(granting, "tasks_run_inline", lambda: False)
    queued = []
    monkeypatch.setattr(granting, "enqueue", queued.append)
    return queued


def statuses(grants) -> list:
    return [SubscriptionGrant.objects.get(pk=grant.pk).status for grant in grants]


def test_a_task_goes_on_to_the_next_batch_while_they_come_full(
    approved, proxy, aws, batches_of_five
):
    grants = approved(12)

    assert granting.fulfil(grants[0].pk) == "granted (12 grants in 3 batches)"

    assert batches_of_five == [grants[0].pk]  # queued once, for another worker to share
    # One Lake Formation call a batch: 5 grants × 2 permissions, then the last 2 grants.
    sent = [len(seen.body["Entries"]) for seen in proxy.requests if seen.target == BATCH]
    assert sent == [10, 10, 4]
    for grant in grants:
        assert permissions_of(aws, grant) == GRANTED
        assert grant.status == GrantStatus.GRANTED
        assert grant.attempts == 1
        assert grant.target["resource_link"]["name"] == (
            grant.subscription.listing.asset.technical_name.lower()
        )
    completed = Event.objects.filter(type="subscription_grant.completed")
    assert sorted(e.payload["grant"]["id"] for e in completed) == sorted(str(g.pk) for g in grants)


def test_the_next_batch_is_claimed_while_aws_grants_this_one(approved, aws, batches_of_five):
    grants = approved(8)
    real_claim, real_run = granting._claim, granting._run_batch
    claimed_again, claims, seen = threading.Event(), [], []

    def claim(grant_id, claimed_at):
        ids = real_claim(grant_id, claimed_at)
        claims.append(ids)
        if len(claims) == 2:  # the next batch
            claimed_again.set()
        return ids

    def run(batch):
        # The first batch's AWS calls wait until the next batch is claimed: they can only
        # see it if the claim happens beside them, on the task's own thread.
        if not seen:
            seen.append(claimed_again.wait(30))
        seen.append(threading.current_thread() is not threading.main_thread())
        results = real_run(batch)
        # The second thread never touched the database (its connection would be its own,
        # outside the task's session, its table locks and the query count).
        seen.append(connections["default"].connection is None)
        return results

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(granting, "_claim", claim)
        patched.setattr(granting, "_run_batch", run)
        assert granting.fulfil(grants[0].pk) == "granted (8 grants in 2 batches)"

    # Claimed meanwhile; both batches off the main thread, with no database connection.
    assert seen == [True, True, True, True, True]
    assert set(statuses(grants)) == {GrantStatus.GRANTED}


def test_batches_go_one_after_the_other_when_tasks_run_inline(
    approved, aws, batches_of_five, monkeypatch
):
    # Eager tasks: a revoke queued by a write would run in this session, beside AWS calls
    # on its table (the session's table locks are re-entrant), so nothing runs beside.
    monkeypatch.setattr(granting, "tasks_run_inline", lambda: True)
    grants = approved(8)
    real_run, threads = granting._run_batch, []

    def run(batch):
        threads.append(threading.current_thread() is threading.main_thread())
        return real_run(batch)

    monkeypatch.setattr(granting, "_run_batch", run)

    assert granting.fulfil(grants[0].pk) == "granted (8 grants in 2 batches)"

    assert threads == [True, True]
    assert set(statuses(grants)) == {GrantStatus.GRANTED}


def test_a_task_stops_after_its_share_of_batches_and_the_queued_task_goes_on(
    approved, aws, settings, batches_of_five
):
    settings.SHARING_GRANT_BATCHES_PER_TASK = 2
    grants = approved(12)

    assert granting.fulfil(grants[0].pk) == "granted (10 grants in 2 batches)"

    assert statuses(grants).count(GrantStatus.GRANTED) == 10
    assert statuses(grants[10:]) == [GrantStatus.PENDING] * 2
    assert batches_of_five == [grants[0].pk]
    # The queued task takes the rest.
    assert granting.fulfil(grants[0].pk) == "nothing to do (batch of 2)"
    assert set(statuses(grants)) == {GrantStatus.GRANTED}


def test_a_batch_whose_aws_calls_fail_unexpectedly_fails_only_its_own_grants(
    approved, aws, batches_of_five, monkeypatch
):
    grants = approved(8)
    real_run, runs = granting._run_batch, []

    def second_fails(batch):
        runs.append(len(batch))
        if len(runs) == 2:
            raise KeyError("a bug in the second batch")
        return real_run(batch)

    monkeypatch.setattr(granting, "_run_batch", second_fails)

    assert granting.fulfil(grants[0].pk) == "granted (8 grants in 2 batches)"

    assert runs == [5, 3]
    assert statuses(grants[:5]) == [GrantStatus.GRANTED] * 5
    for grant in grants[5:]:
        grant.refresh_from_db()
        assert grant.status == GrantStatus.GRANT_FAILED
        assert "Unexpected error (KeyError" in grant.failure_cause
        assert permissions_of(aws, grant) == {}


def test_a_table_lake_formation_no_longer_manages_goes_alone_beside_the_batch(
    approved, aws, batches_of_five, monkeypatch
):
    grants = approved(8)
    unmanaged = grants[2].subscription.listing.asset
    unmanaged.technical_metadata = {"location": "s3://elsewhere/unregistered/"}
    unmanaged.save(update_fields=["technical_metadata"])
    real_run, together = granting._run_batch, []

    def run(batch):
        together.append(len(batch))
        return real_run(batch)

    monkeypatch.setattr(granting, "_run_batch", run)

    assert granting.fulfil(grants[0].pk) == "granted (8 grants in 2 batches)"

    assert together == [4, 3]  # the first batch's other four together, the lone one apart

    manual = SubscriptionGrant.objects.get(pk=grants[2].pk)
    assert manual.backend == GrantBackend.MANUAL
    assert "not managed by Lake Formation" in manual.target["reason"]
    assert permissions_of(aws, manual) == {}
    for grant in grants[:2] + grants[3:]:
        assert permissions_of(aws, grant) == GRANTED


def advisory_locks_held() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_an_error_while_claiming_the_next_batch_leaves_no_table_locked_and_the_sweep_finishes(
    approved, aws, batches_of_five, monkeypatch
):
    grants = approved(8)
    real_claim, claims = granting._claim, []

    def second_fails(grant_id, claimed_at):
        claims.append(grant_id)
        if len(claims) == 2:
            raise ConnectionError("the database went away")
        return real_claim(grant_id, claimed_at)

    monkeypatch.setattr(granting, "_claim", second_fails)

    with pytest.raises(ConnectionError):
        granting.fulfil(grants[0].pk)

    assert advisory_locks_held() == 0
    # The first batch's AWS calls had finished (the task waits for them before it gives
    # up); its outcomes were not written: the sweep hands the grants back and queues them
    # (here their task runs at once, inline), and granting them again finds what was made.
    assert statuses(grants[:5]) == [GrantStatus.IN_PROGRESS] * 5
    assert permissions_of(aws, grants[0]) == GRANTED
    assert statuses(grants[5:]) == [GrantStatus.PENDING] * 3
    monkeypatch.setattr(granting, "_claim", real_claim)
    sweep_stuck(now=timezone.now() + timedelta(seconds=settings.SHARING_GRANT_TIMEOUT + 1))
    assert set(statuses(grants)) == {GrantStatus.GRANTED}
    for grant in grants:
        grant.refresh_from_db()
        assert grant.target["resource_link"]["name"] == (
            grant.subscription.listing.asset.technical_name.lower()
        )


@pytest.mark.parametrize("count", [2, 3])
def test_each_batch_of_a_task_costs_the_same_queries(approved, batches_of_five, count):
    grants = approved(5 * count)

    with CaptureQueriesContext(connection) as task:
        assert granting.fulfil(grants[0].pk) == f"granted ({5 * count} grants in {count} batches)"

    # Each batch as a batch alone (test_grant_batches.py), and one claim more that
    # finds the queue empty after the last full batch.
    assert len(task) == count * BATCH_TASK_QUERIES + 1
