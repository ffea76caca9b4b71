"""Receivers of the outbox's ``events_committed`` signal (connected in apps.py)."""

from django.dispatch import receiver

from meshportal.events import events_committed

from . import debounce

# Imported here so that workers register the tasks (autodiscovery finds only tasks.py).
from .eventbridge.tasks import eventbridge_fan_out
from .models import EventBridgeTarget


@receiver(events_committed, dispatch_uid="webhooks.fan_out")
def fan_out_on_commit(sender, **kwargs):
    """Events were committed and numbered: fan them out to the webhook endpoints now
    rather than at the next sweep. The signal is sent after the commit (once per event
    recorded), so the task never reads before the events exist; one queued fan-out
    covers every commit until it starts (webhooks.debounce)."""
    from .tasks import webhooks_fan_out

    if debounce.claim():
        webhooks_fan_out.delay()


@receiver(events_committed, dispatch_uid="webhooks.eventbridge_fan_out")
def eventbridge_on_commit(sender, **kwargs):
    """Fan the committed events out to the enabled EventBridge targets (beat's sweep
    catches up with whatever this misses). One cheap query when no target exists."""
    if EventBridgeTarget.objects.filter(enabled=True).exists():
        eventbridge_fan_out.delay()
