"""EventBridge delivery through a real Celery worker on Redis: the commit's receiver
enqueues the fan-out, the worker sends to moto's EventBridge, the rule puts the events
in the SQS queue the test reads."""

import time

import pytest

from tests.webhooks.events.test_eventbridge import (  # noqa: F401
    queue,
    read_queue,
    record,
    target,
)
from webhooks.models import EventBridgeDelivery

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_delivers_committed_events_to_the_bus(
    celery_worker,
    aws,
    queue,  # noqa: F811
    target,  # noqa: F811
    project,
):
    record(project, 12)

    messages, deadline = [], time.monotonic() + 90
    while len(messages) < 12 and time.monotonic() < deadline:
        messages += read_queue(aws, queue)
        time.sleep(0.5)
    assert len(messages) == 12, celery_worker.log_path.read_text()[-3000:]
    assert {m["detail"]["data"]["listing"]["name"] for m in messages} == {
        f"listing-{n}" for n in range(12)
    }
    assert set(EventBridgeDelivery.objects.values_list("status", flat=True)) == {"DELIVERED"}
    log = celery_worker.log_path.read_text()
    assert "webhooks.eventbridge.tasks.eventbridge_deliver" in log
