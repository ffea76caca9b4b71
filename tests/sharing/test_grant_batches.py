"""Grants in batches: one task claims the waiting Lake Formation grants and makes them
together, each with its own outcome; what AWS refuses for one entry fails only its grant.
AWS's per-entry answers (moto always grants everything) come from the fault proxy."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meshportal.models import Event
from projects.models import Notification
from sharing import fulfilment, granting, services
from sharing.choices import GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions.choices import SubscriptionEventKind
from tests.sharing.conftest import CONSUMER_ROLE_SAME, PRODUCER, permissions_of, table_permissions

pytestmark = pytest.mark.django_db(transaction=True)

BATCH = "/BatchGrantPermissions"
CREATE_TABLE = "AWSGlue.CreateTable"


def test_one_task_grants_the_waiting_grants_with_a_lake_formation_call_per_twenty_permissions(
    approved, proxy, aws, consumer
):
    grants = approved(12)

    assert granting.fulfil(grants[0].pk) == "granted (batch of 12)"

    # A resource link each (Glue has no batch create), and 24 permissions in two calls.
    assert proxy.count(CREATE_TABLE) == 12
    assert proxy.count(BATCH) == 2
    assert proxy.count("/GrantPermissions") == 0
    for grant in grants:
        assert permissions_of(aws, grant) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
        assert grant.status == GrantStatus.GRANTED
        assert grant.attempts == 1
        link = grant.target["resource_link"]
        assert link["name"] == grant.subscription.listing.asset.technical_name.lower()
        link_permissions = table_permissions(
            aws.client("lakeformation"), PRODUCER, link["database"], link["name"]
        )
        assert link_permissions == {CONSUMER_ROLE_SAME: (["DESCRIBE"], [])}
        assert [s["type"] for s in grant.target["steps"]] == [
            "resource_link",
            "permission",
            "permission",
        ]
        line = grant.subscription.events.filter(kind=SubscriptionEventKind.GRANT).latest(
            "created_at"
        )
        assert "Access to" in line.message and "is granted" in line.message
        assert line.data["status"] == GrantStatus.GRANTED
        assert Notification.objects.filter(
            recipient=consumer, topic="GRANT", link=f"/subscriptions/{grant.subscription_id}/"
        ).exists()
    completed = Event.objects.filter(type="subscription_grant.completed")
    assert sorted(e.payload["grant"]["id"] for e in completed) == sorted(str(g.pk) for g in grants)
    # The other grants' tasks, delivered afterwards, find nothing left to do.
    assert {granting.fulfil(grant.pk) for grant in grants[1:]} == {"nothing to do"}


# In the task's only batch, and in a later batch of a task that carries several, its AWS
# calls on the second thread (test_grant_pipeline.py).
@pytest.mark.parametrize(
    ("count", "refused_at", "batch_size", "answer"),
    [(3, 1, 20, "granted (batch of 3)"), (8, 6, 5, "granted (8 grants in 2 batches)")],
)
def test_an_entry_refused_fails_its_own_grant_with_the_reason_and_the_others_are_granted(
    approved, proxy, aws, owner, settings, monkeypatch, count, refused_at, batch_size, answer
):
    settings.SHARING_GRANT_BATCH_SIZE = batch_size
    monkeypatch.setattr(granting, "tasks_run_inline", lambda: False)  # as on a worker
    grants = approved(count)
    refused = grants[refused_at].subscription.listing.asset.technical_name
    proxy.refuse_entries(
        BATCH,
        lambda entry: (
            entry["Resource"]["Table"]["Name"] == refused
            and entry["Resource"]["Table"]["DatabaseName"] == "curatedzonedb"
        ),
        "AccessDeniedException",
        "Insufficient Lake Formation permission(s) on table",
    )

    with pytest.MonkeyPatch.context() as one_task:
        one_task.setattr(granting, "enqueue", lambda grant_id: None)  # this task does it all
        assert granting.fulfil(grants[0].pk) == answer

    failed = SubscriptionGrant.objects.get(pk=grants[refused_at].pk)
    assert failed.status == GrantStatus.GRANT_FAILED
    assert f"Granting SELECT on curatedzonedb.{refused}" in failed.failure_cause
    assert "data lake administrator" in failed.failure_cause
    # What was made for it is recorded, so a retry reuses it and a revoke removes it.
    assert [s["type"] for s in failed.target["steps"]] == ["resource_link", "permission"]
    assert permissions_of(aws, failed) == {}
    for grant in grants[:refused_at] + grants[refused_at + 1 :]:
        assert permissions_of(aws, grant) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
        assert grant.status == GrantStatus.GRANTED

    proxy._refusals.clear()  # the producer fixed the table's permissions
    services.grant_retry(acting_user=owner, grant=failed)

    assert permissions_of(aws, failed) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
    assert failed.status == GrantStatus.GRANTED
    assert failed.target["resource_link"]["name"] == refused.lower()  # the same link


def test_an_entry_refused_for_throttling_is_sent_again(approved, proxy, aws):
    grants = approved(2)
    throttled = grants[0].subscription.listing.asset.technical_name
    proxy.refuse_entries(
        BATCH,
        lambda entry: entry["Resource"]["Table"]["Name"] == throttled,
        "ThrottlingException",
        "Rate exceeded",
        times=1,
    )

    assert granting.fulfil(grants[0].pk) == "granted (batch of 2)"

    assert proxy.count(BATCH) == 2  # the batch, then the two throttled entries again
    assert [len(seen.body["Entries"]) for seen in proxy.requests if seen.target == BATCH] == [4, 2]
    for grant in grants:
        assert permissions_of(aws, grant) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}


def test_a_whole_batch_call_refused_fails_each_grant_it_carried(approved, proxy):
    grants = approved(2)
    proxy.fail(BATCH, "AccessDeniedException", "User is not authorized to perform")

    granting.fulfil(grants[0].pk)

    for grant in grants:
        grant.refresh_from_db()
        assert grant.status == GrantStatus.GRANT_FAILED
        assert "access denied" in grant.failure_cause


def _hold_table_lock(key: str, held: threading.Event, release: threading.Event):
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"sharing:{key}"])
            held.set()
            release.wait(60)
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [f"sharing:{key}"])
    finally:
        connections.close_all()


@pytest.fixture
def table_held():
    """``table_held(grant)``: another session (a revoke, say) holds the grant's table
    lock until ``release`` is set."""
    release, holders = threading.Event(), []

    def hold(grant) -> threading.Event:
        held = threading.Event()
        holder = threading.Thread(target=_hold_table_lock, args=[grant.lock_key, held, release])
        holder.start()
        holders.append(holder)
        assert held.wait(30)
        return release

    yield hold
    release.set()
    for holder in holders:
        holder.join(30)


def test_a_grant_whose_table_is_busy_goes_back_to_wait_and_the_others_are_granted(
    approved, aws, table_held, monkeypatch
):
    grants = approved(3)
    later = []
    # Eager tasks (as here) would run it again at once, without the countdown.
    monkeypatch.setattr(
        fulfilment, "enqueue_later", lambda task, pk, countdown: later.append((pk, countdown))
    )
    release = table_held(grants[2])
    before = timezone.now()

    granting.fulfil(grants[0].pk)

    waiting = SubscriptionGrant.objects.get(pk=grants[2].pk)
    assert waiting.status == GrantStatus.PENDING
    assert waiting.attempts == 0  # a busy table is not a failed attempt
    # Not due for a backoff pause (at least SHARING_RETRY_BASE_SECONDS): no batch takes it.
    assert waiting.next_attempt_at >= before + timedelta(
        seconds=settings.SHARING_RETRY_BASE_SECONDS
    )
    assert later == [(waiting.pk, pytest.approx(later[0][1]))] and later[0][1] > 0
    assert permissions_of(aws, waiting) == {}
    for grant in grants[:2]:
        grant.refresh_from_db()
        assert grant.status == GrantStatus.GRANTED

    release.set()
    assert granting.fulfil(waiting.pk) == "granted"  # its task, once the table is free
    assert permissions_of(aws, waiting) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}


def test_a_task_whose_own_table_is_busy_waits_for_it_after_the_others(approved, aws, table_held):
    grants = approved(2)
    release = table_held(grants[0])
    threading.Timer(1.0, release.set).start()  # the revoke holding it finishes

    assert granting.fulfil(grants[0].pk) == "granted (batch of 2)"

    for grant in grants:
        assert permissions_of(aws, grant) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
        assert grant.status == GrantStatus.GRANTED


def test_a_grant_waiting_for_its_retry_is_not_taken_early_by_another_batch(approved, aws):
    first, later = approved(2)
    SubscriptionGrant.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    assert granting.fulfil(first.pk) == "granted"

    later.refresh_from_db()
    assert later.status == GrantStatus.PENDING
    assert permissions_of(aws, later) == {}


# A batch task, whatever its size: the claim; the grants with their rows and a try at each
# table's lock; the GRANTED transaction (BEGIN, asynchronous commit, one UPDATE for all,
# their outbox events, timeline lines, the consumer project's people, the notifications,
# COMMIT); the locks' release; then the outbox's work after the commit (as in
# test_grant_queries).
BATCH_TASK_QUERIES = 22


@pytest.mark.parametrize("size", [3, 8])
def test_a_batch_costs_the_same_queries_whatever_its_size(approved, size):
    grants = approved(size)

    with CaptureQueriesContext(connection) as task:
        assert granting.fulfil(grants[0].pk) == f"granted (batch of {size})"

    assert len(task) == BATCH_TASK_QUERIES
    assert SubscriptionGrant.objects.filter(status=GrantStatus.GRANTED).count() == size


def _plan_nodes(node, parent=""):
    yield node, parent
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child, child.get("Parent Relationship", ""))


def test_the_granted_update_looks_up_each_subscription_by_its_key(approved):
    """Not a join PostgreSQL may start from the subscriptions: with statistics from before a
    burst of approvals it started from every APPROVED one, a statement that grew with all
    subscriptions ever approved (granting._move_to_granted)."""
    grants = approved(3)
    with CaptureQueriesContext(connection) as task:
        granting.fulfil(grants[0].pk)
    (update,) = [q["sql"] for q in task if "UPDATE sharing_subscriptiongrant AS g" in q["sql"]]

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + update)
        plan = cursor.fetchone()[0][0]["Plan"]

    reads = [
        (node["Node Type"], parent)
        for node, parent in _plan_nodes(plan)
        if node.get("Relation Name") == "subscriptions_subscription"
    ]
    assert reads, plan  # the subscription is checked
    assert {parent for _type, parent in reads} == {"SubPlan"}, reads


def test_a_task_claims_at_most_a_batch_and_queues_the_next(approved, settings, monkeypatch):
    settings.SHARING_GRANT_BATCH_SIZE = 5
    settings.SHARING_GRANT_BATCHES_PER_TASK = 1  # test_grant_pipeline.py: several a task
    grants = approved(8)
    queued = []
    monkeypatch.setattr(granting, "enqueue", queued.append)

    assert granting.fulfil(grants[0].pk) == "granted (batch of 5)"

    assert queued == [grants[0].pk]  # a full batch: more may wait
    statuses = [SubscriptionGrant.objects.get(pk=g.pk).status for g in grants]
    assert statuses.count(GrantStatus.GRANTED) == 5
    assert statuses.count(GrantStatus.PENDING) == 3
    assert granting.fulfil(grants[0].pk) == "nothing to do (batch of 3)"
    assert queued == [grants[0].pk]
