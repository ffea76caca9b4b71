"""Celery tasks of EventBridge delivery. They take ids and are safe to run twice:
the fan-out moves a cursor under a row lock, a target's sending holds an advisory lock,
and each delivery moves by compare-and-set."""

from celery import shared_task

from . import delivery


@shared_task(ignore_result=True)
def eventbridge_fan_out() -> int:
    """New outbox events → deliveries, then a send task per target with work due.
    Enqueued after every commit that recorded events (webhooks/receivers.py)."""
    made = delivery.fan_out_all()
    for target_id in delivery.targets_with_due_deliveries():
        eventbridge_deliver.delay(str(target_id))
    return made


@shared_task(acks_late=True, ignore_result=True)
def eventbridge_deliver(target_id: str) -> str:
    """Send one target's due deliveries; hands over to a fresh task when more is left."""
    outcome = delivery.deliver_target(target_id)
    if outcome == "more":
        eventbridge_deliver.delay(target_id)
    return outcome


@shared_task(ignore_result=True)
def eventbridge_sweep() -> int:
    """From beat: what the on-commit fan-out missed (a lost message, a worker that
    died) and the retries that came due."""
    return eventbridge_fan_out()
