"""What one grant costs the database, pinned: the approval and the grant task keep their
query counts whatever the number of grants already made and the size of the consumer
project; and the compare-and-set to GRANTED sees a subscription that ends while it waits
for the grant's row (the case its fast path must not miss)."""

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from projects.models import Notification
from sharing import granting, services
from sharing.choices import GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions.services import (
    subscription_request_accept,
    subscription_request_create,
    subscription_revoke,
)
from tests.sharing.conftest import PRODUCER, table_permissions

pytestmark = pytest.mark.django_db(transaction=True)

# A grant task: the grant with its rows (the producing project's now among them, which
# saved the query that read it for the outbox event) and a try at the table lock; the
# claim; then in one transaction (BEGIN, COMMIT) the asynchronous commit set for it (one
# fsync wait less; see fulfilment.commit_without_waiting_for_disk), the compare-and-set
# to GRANTED, the timeline line, its outbox event, the consumer project's people and
# their notifications; the lock's release.
# After the commit the outbox numbers the event (BEGIN, lock, UPDATE, COMMIT) and asks
# whether an EventBridge target is enabled; with eager tasks (as here) the webhooks
# fan-out then runs in the same process (its own numbering, the outbox's end, the
# endpoints behind it): 10 SQL of the task's own, 12 of the outbox.
GRANT_TASK_QUERIES = 22
# Accepting a request, BEGIN/COMMIT included: the approver's groups and designation, the
# request locked and moved, the subscription and its timeline line, the request's tasks
# closed, the requester's notification (and email preference), the asset, the fitting
# environments without a grant yet, the grants; their outbox events
# (subscription_request.accepted, subscription.created, subscription_grant.requested)
# and the outbox's work after the commit, as for the grant task.
APPROVAL_QUERIES = 29


def approve_counted(listing, consumer_project, consumer, owner, monkeypatch):
    """Request, then accept with the grant task held back; returns (grant, approval SQL)."""
    request, _ = subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason="Queries"
    )
    monkeypatch.setattr(services, "_enqueue", lambda task, ids: None)
    owner = type(owner).objects.get(pk=owner.pk)  # as a request's user: nothing cached yet
    with CaptureQueriesContext(connection) as approval:
        subscription = subscription_request_accept(acting_user=owner, request=request)
    monkeypatch.undo()
    return SubscriptionGrant.objects.get(subscription=subscription), len(approval)


def granted_counted(grant) -> int:
    with CaptureQueriesContext(connection) as task:
        assert granting.fulfil(grant.pk) == "granted"
    return len(task)


def test_a_grant_costs_the_same_queries_however_many_came_before(
    tables, consumer_project, consumer_environment, consumer, owner, monkeypatch
):
    from tests.projects.factories import ProjectMembershipFactory

    first, *more = tables(6)
    grant, approval = approve_counted(first, consumer_project, consumer, owner, monkeypatch)
    assert (approval, granted_counted(grant)) == (APPROVAL_QUERIES, GRANT_TASK_QUERIES)

    # More grants made, and the consumer project grows: each one still costs the same.
    for listing in more[:3]:
        granted_counted(approve_counted(listing, consumer_project, consumer, owner, monkeypatch)[0])
    ProjectMembershipFactory.create_batch(4, project=consumer_project)
    for listing in more[3:]:
        grant, approval = approve_counted(listing, consumer_project, consumer, owner, monkeypatch)
        assert (approval, granted_counted(grant)) == (APPROVAL_QUERIES, GRANT_TASK_QUERIES)
    # Everyone in the project heard of the last grant (one INSERT for all of them).
    assert grant.subscription.project.memberships.count() == 5
    assert (
        Notification.objects.filter(
            topic="GRANT", link=f"/subscriptions/{grant.subscription_id}/"
        ).count()
        == 5
    )


def _waiting_for_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        # pg_locks, not pg_stat_activity: the latter is a snapshot per transaction.
        cursor.execute(
            "SELECT EXISTS(SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [pid]
        )
        return cursor.fetchone()[0]


def test_a_subscription_ended_while_the_granted_update_waits_is_revoked(
    lake, listing, consumer_project, consumer_environment, consumer, owner, monkeypatch
):
    """The end's transaction holds the grant's row when the worker's compare-and-set to
    GRANTED arrives; it commits while the update waits. The update must then not count
    the subscription as still approved (its subquery's snapshot would say so)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        worker_pid = cursor.fetchone()[0]
    real_run = granting._run_batch
    holding, errors = threading.Event(), []

    def end_while_granting(subscription_id):
        from subscriptions.models import Subscription

        try:
            with transaction.atomic():
                subscription = Subscription.objects.get(pk=subscription_id)
                subscription_revoke(acting_user=owner, subscription=subscription, reason="Race")
                holding.set()  # the grant's row is locked and touched, not yet committed
                for _ in range(600):  # until the worker's update waits for the row
                    if _waiting_for_a_lock(worker_pid):
                        break
                    threading.Event().wait(0.05)
                else:
                    errors.append("the worker's update never waited for the row")
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(repr(error))
            holding.set()
        finally:
            connections.close_all()

    ender = None

    def run_then_end(batch):
        nonlocal ender
        targets = real_run(batch)
        [(grant, _spec)] = batch
        ender = threading.Thread(target=end_while_granting, args=[grant.subscription_id])
        ender.start()
        assert holding.wait(60)
        return targets

    monkeypatch.setattr(granting, "_run_batch", run_then_end)
    request, _ = subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason="Race"
    )
    subscription = subscription_request_accept(acting_user=owner, request=request)
    ender.join(60)

    assert errors == []
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert (
        table_permissions(lake.client("lakeformation"), PRODUCER, "curatedzonedb", "film_category")
        == {}
    )


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_only_the_granted_transaction_commits_without_waiting_for_the_disk(
    lake, listing, consumer_project, consumer_environment, consumer, owner, monkeypatch
):
    """The GRANTED transaction is committed asynchronously (a crash before the flush is
    swept and granted again); the outbox's numbering after it, which a feed cursor or a
    webhook relies on, and everything else on the connection stay synchronous."""
    from meshportal.events import events_committed
    from sharing import events

    grant, _ = approve_counted(listing, consumer_project, consumer, owner, monkeypatch)
    seen = {}
    real_record = events.record_granted

    def record(grants):
        seen.setdefault("granted transaction", _synchronous_commit())
        return real_record(grants)

    def numbered(sender, **kwargs):
        seen.setdefault("outbox numbering", _synchronous_commit())

    monkeypatch.setattr(events, "record_granted", record)
    events_committed.connect(numbered, dispatch_uid="test-synchronous-commit")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO on")  # test databases turn it off
    try:
        assert granting.fulfil(grant.pk) == "granted"
    finally:
        events_committed.disconnect(dispatch_uid="test-synchronous-commit")
    seen["after the task"] = _synchronous_commit()
    with connection.cursor() as cursor:
        cursor.execute("RESET synchronous_commit")

    assert seen == {
        "granted transaction": "off",
        "outbox numbering": "on",
        "after the task": "on",
    }
