"""What a drain costs the database: one round trip per delivery (the claim carries the
previous attempt's result), a few per batch, and the session left as it was."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from webhooks import delivery as webhook_delivery
from webhooks import tasks
from webhooks.models import WebhookAttempt, WebhookDelivery

from .test_delivery import record_events, register

pytestmark = pytest.mark.django_db(transaction=True)


def queued(monkeypatch, receiver, owner, project, n):
    """An endpoint with ``n`` deliveries fanned out and not sent yet."""
    endpoint = register(receiver, owner, project)
    with monkeypatch.context() as patch:
        patch.setattr(tasks.webhook_drain, "delay", lambda *args, **kwargs: None)
        ids = record_events(project, n)
    assert WebhookDelivery.objects.filter(endpoint=endpoint, status="PENDING").count() == n
    return endpoint, ids


def drain_statements(endpoint) -> int:
    with CaptureQueriesContext(connection) as queries:
        webhook_delivery.drain(endpoint.pk)
    return len(queries)


@pytest.mark.parametrize("n", [5, 25])
def test_a_drain_makes_one_round_trip_per_delivery(monkeypatch, make_receiver, project, owner, n):
    receiver = make_receiver()
    endpoint, ids = queued(monkeypatch, receiver, owner, project, n)

    statements = drain_statements(endpoint)

    # Lock, synchronous_commit off; per batch: the endpoint, the unordered then the
    # ordered deliveries; one per delivery; the last result; then the empty batch
    # (endpoint, two reads and when to look again); reset, unlock.
    assert statements == 2 + 3 + n + 1 + 4 + 2
    assert receiver.delivered == ids
    assert WebhookAttempt.objects.filter(delivery__endpoint=endpoint).count() == n
    assert set(
        WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", "attempts")
    ) == {("DELIVERED", 1)}


def test_the_drain_leaves_the_session_setting_as_it_found_it(
    monkeypatch, make_receiver, project, owner
):
    endpoint, _ids = queued(monkeypatch, make_receiver(), owner, project, 2)
    with connection.cursor() as cursor:
        # The test database runs with it off; set it on, so that a drain that left its
        # own "off" behind would show.
        cursor.execute("SET synchronous_commit TO on")
        try:
            webhook_delivery.drain(endpoint.pk)
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
        finally:
            cursor.execute("RESET synchronous_commit")
