"""Approve → GRANTED and revoke → REVOKED through a real Celery worker on Redis, against
moto: the approving request only enqueues; the worker process does the AWS work."""

import time

import pytest

from sharing.choices import GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions.services import subscription_revoke
from tests.sharing.conftest import CONSUMER_ROLE_SAME, PRODUCER, table_permissions

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for_status(subscription, wanted: str, timeout: float = 60) -> SubscriptionGrant:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        grant = SubscriptionGrant.objects.get(subscription=subscription)
        if grant.status == wanted:
            return grant
        time.sleep(0.1)
    return SubscriptionGrant.objects.get(subscription=subscription)


def test_a_worker_grants_on_approve_and_revokes_on_revoke(
    celery_worker, lake, listing, consumer_project, consumer_environment, approve, owner
):
    subscription = approve(listing, consumer_project)
    # The approving transaction committed and returned: the grant waits for the worker.
    assert SubscriptionGrant.objects.get(subscription=subscription).status in {
        GrantStatus.PENDING,
        GrantStatus.IN_PROGRESS,
        GrantStatus.GRANTED,
    }

    grant = wait_for_status(subscription, GrantStatus.GRANTED)
    assert grant.status == GrantStatus.GRANTED, (
        grant.failure_cause or celery_worker.log_path.read_text()[-3000:]
    )
    lf = lake.client("lakeformation")
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film_category") == {
        CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])
    }

    subscription_revoke(acting_user=owner, subscription=subscription, reason="Project over")

    grant = wait_for_status(subscription, GrantStatus.REVOKED)
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film_category") == {}
    log = celery_worker.log_path.read_text(errors="replace")
    assert "sharing.tasks.grant_fulfil" in log
    assert "sharing.tasks.grant_revoke" in log


def test_a_burst_of_approvals_is_granted_by_a_few_batch_tasks(
    celery_worker, tables, consumer_project, consumer_environment, approve, lake
):
    from sharing import granting

    # A grant task is queued and not yet started (its flag is set): the approvals of the
    # burst queue nothing more; that task, once it starts, takes them all.
    assert granting._QUEUED.claim()
    subscriptions = [approve(listing, consumer_project) for listing in tables(25)]
    assert "grant_fulfil[" not in celery_worker.log_path.read_text(errors="replace")
    first = SubscriptionGrant.objects.get(subscription=subscriptions[0])
    granting._QUEUED.release()
    granting.enqueue(first.pk)  # the queued task arrives

    for subscription in subscriptions:
        grant = wait_for_status(subscription, GrantStatus.GRANTED)
        assert grant.status == GrantStatus.GRANTED, celery_worker.log_path.read_text()[-3000:]
        name = subscription.listing.asset.technical_name
        permissions = table_permissions(
            lake.client("lakeformation"), PRODUCER, "curatedzonedb", name
        )
        assert permissions == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
    log = celery_worker.log_path.read_text(errors="replace")
    # A full batch of 20 queued the next task (for another worker to share the work) and
    # went on to claim the other 5 itself, while AWS granted the first 20; the queued
    # task found nothing left.
    assert log.count("sharing.tasks.grant_fulfil[") == 2 * 2  # each: received, succeeded
    assert "'granted (25 grants in 2 batches)'" in log
    assert "'nothing to do'" in log
