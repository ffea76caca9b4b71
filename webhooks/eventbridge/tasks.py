"""Celery tasks of EventBridge delivery. They take ids and are safe to run twice:
the fan-out moves a cursor under a row lock, a target's sending holds an advisory lock,
and each delivery moves by compare-and-set."""

from celery import shared_task

from . import delivery


def _same_queue(task) -> dict:
    """Follow-up tasks go to the queue this one came from (an operator who routes
    EventBridge work to its own workers keeps it there)."""
    info = getattr(task.request, "delivery_info", None) or {}
    return {"queue": info["routing_key"]} if info.get("routing_key") else {}


def _fan_out(task) -> int:
    made = delivery.fan_out_all()
    for target_id in delivery.targets_with_due_deliveries():
        eventbridge_deliver.apply_async(args=[str(target_id)], **_same_queue(task))
    return made


@shared_task(bind=True, ignore_result=True)
def eventbridge_fan_out(self) -> int:
    """New outbox events → deliveries, then a send task per target with work due.
    Enqueued after every commit that recorded events (webhooks/receivers.py)."""
    return _fan_out(self)


@shared_task(bind=True, acks_late=True, ignore_result=True)
def eventbridge_deliver(self, target_id: str) -> str:
    """Send one target's due deliveries; hands over to a fresh task when more is left."""
    outcome = delivery.deliver_target(target_id)
    if outcome == "more":
        eventbridge_deliver.apply_async(args=[target_id], **_same_queue(self))
    return outcome


@shared_task(bind=True, ignore_result=True)
def eventbridge_sweep(self) -> int:
    """From beat: what the on-commit fan-out missed (a lost message, a worker that
    died) and the retries that came due."""
    return _fan_out(self)
