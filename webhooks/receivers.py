"""Receivers of the outbox's ``events_committed`` signal (connected in apps.py)."""

from django.dispatch import receiver

from meshportal.events import events_committed


@receiver(events_committed, dispatch_uid="webhooks.fan_out")
def fan_out_on_commit(sender, **kwargs):
    """Events were committed and numbered: fan them out to the webhook endpoints now
    rather than at the next sweep. The signal is sent after the commit, so the task
    never reads before the events exist."""
    from .tasks import webhooks_fan_out

    webhooks_fan_out.delay()
