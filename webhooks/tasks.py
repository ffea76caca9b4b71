"""Celery tasks of the webhooks app. They take ids, re-read the rows and are idempotent:
a message delivered twice finds the work done (or the drain lock taken) and returns."""

from celery import shared_task

from meshportal.celery import tasks_run_inline
from meshportal.events import events_sequence

from . import debounce, delivery


@shared_task(acks_late=True, ignore_result=True)
def webhooks_fan_out() -> int:
    """Deliveries for the events committed since each endpoint's cursor; starts the drains."""
    debounce.release()  # before reading: a commit from now on queues the next fan-out
    busy = delivery.fan_out_all()
    for endpoint_id in busy:
        webhook_drain.delay(endpoint_id)
    return len(busy)


@shared_task(acks_late=True, ignore_result=True)
def webhook_drain(endpoint_id: str) -> dict:
    """Send the endpoint's due deliveries in order (one drain per endpoint at a time)."""
    result = delivery.drain(endpoint_id)
    if result.get("busy"):
        # The running drain re-checks after it lets go of the lock (below), so this
        # message's deliveries are not forgotten.
        return result
    again_at = result.get("again_at")
    if delivery.drain_needed(endpoint_id):
        webhook_drain.delay(endpoint_id)
    elif again_at is not None and not tasks_run_inline():
        webhook_drain.apply_async(args=[endpoint_id], eta=again_at)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in result.items()}


@shared_task(acks_late=True, ignore_result=True)
def webhooks_sweep() -> int:
    """Beat: fan out what a lost signal left behind, and restart the drains of endpoints
    with a due retry or a delivery SENDING past its lease (a worker died mid-request)."""
    events_sequence()
    targets = set(delivery.fan_out_all()) | set(delivery.sweep_targets())
    for endpoint_id in sorted(targets):
        webhook_drain.delay(endpoint_id)
    return len(targets)
