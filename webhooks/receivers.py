"""Receivers of the outbox's ``events_committed`` signal (connected in apps.py)."""

from django.dispatch import receiver

from meshportal.events import events_committed

from . import debounce


@receiver(events_committed, dispatch_uid="webhooks.fan_out")
def fan_out_on_commit(sender, **kwargs):
    """Events were committed and numbered: fan them out to the webhook endpoints now
    rather than at the next sweep. The signal is sent after the commit (once per event
    recorded), so the task never reads before the events exist; one queued fan-out
    covers every commit until it starts (webhooks.debounce)."""
    from .tasks import webhooks_fan_out

    if debounce.claim():
        webhooks_fan_out.delay()
