"""Sending the outbox to EventBridge: fan-out to deliveries, then ``put_events``.

At least once: a delivery is marked DELIVERED only after EventBridge accepted its entry,
so a worker that dies mid-batch sends the batch again (EventBridge consumers dedupe on
``detail.id``, the event's id). Each entry's failure is its own: ``FailedEntryCount``
tells which entries to retry; a call that fails as a whole (throttled past botocore's
own retries, access denied, no such bus) fails every entry of the batch for this
attempt. Retries follow webhooks.retry; after the last one the target is disabled and
the domain's owners are told.
"""

import json
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib.postgres.expressions import ArraySubquery
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from meshportal import aws
from meshportal.events import events_sequence
from meshportal.locks import advisory_lock
from meshportal.models import Event
from projects.choices import DomainRole, NotificationKind
from projects.models import DomainMembership, Project
from projects.permissions import users_named_by
from projects.services import notification_create

from ..models import EventBridgeDelivery, EventBridgeDeliveryStatus, EventBridgeTarget
from ..retry import retry_delay

logger = logging.getLogger(__name__)

SOURCE = "mesh-portal"
PUT_EVENTS_MAX_ENTRIES = 10  # EventBridge's limit per PutEvents call
FAN_OUT_BATCH = 1000
# Batches one task sends before it hands over to a fresh task (keeps tasks short).
BATCHES_PER_TASK = 50
PENDING = EventBridgeDeliveryStatus.PENDING


# --- Fan-out: outbox → deliveries ---------------------------------------------------------


def target_events(target):
    """The outbox events a target sends: its domain's and its domain's projects'."""
    domain_projects = ArraySubquery(Project.objects.filter(domain_id=target.domain_id).values("pk"))
    events = Event.objects.filter(
        Q(domain_id=target.domain_id) | Q(project_ids__overlap=domain_projects)
    )
    if target.event_types:
        events = events.filter(type__in=target.event_types)
    return events


def fan_out_target(target_id) -> int:
    """Turn the target's new outbox events into PENDING deliveries; returns how many.

    The cursor moves under the target's row lock, so two fan-outs never both take the
    same events (and the unique (target, event) constraint backs that up).
    """
    made = 0
    while True:
        with transaction.atomic():
            target = (
                EventBridgeTarget.objects.select_for_update(skip_locked=True)
                .filter(pk=target_id, enabled=True)
                .first()
            )
            if target is None:
                return made
            # Every position up to the highest one visible is committed and numbered
            # (meshportal.events), so the cursor may move up to it.
            high = Event.objects.aggregate(high=Max("position"))["high"] or 0
            if high <= target.cursor:
                return made
            rows = list(
                target_events(target)
                .filter(position__gt=target.cursor, position__lte=high)
                .order_by("position")
                .values_list("id", "position")[:FAN_OUT_BATCH]
            )
            now = timezone.now()
            EventBridgeDelivery.objects.bulk_create(
                [
                    EventBridgeDelivery(
                        target=target, event_id=event_id, position=position, next_attempt_at=now
                    )
                    for event_id, position in rows
                ],
                ignore_conflicts=True,
            )
            full = len(rows) == FAN_OUT_BATCH
            cursor = rows[-1][1] if full else high
            EventBridgeTarget.objects.filter(pk=target.pk).update(cursor=cursor, updated_at=now)
            made += len(rows)
            if not full:
                return made


def fan_out_all() -> int:
    """Number what committed, then fan out every enabled target."""
    events_sequence()
    return sum(
        fan_out_target(target_id)
        for target_id in EventBridgeTarget.objects.filter(enabled=True).values_list("pk", flat=True)
    )


def targets_with_due_deliveries(now=None) -> list:
    now = now or timezone.now()
    return list(
        EventBridgeTarget.objects.filter(
            enabled=True,
            deliveries__status=PENDING,
            deliveries__next_attempt_at__lte=now,
        )
        .values_list("pk", flat=True)
        .distinct()
    )


# --- Delivery: deliveries → put_events ----------------------------------------------------


def entry_for(target, event) -> dict:
    """The PutEvents entry of an event: detail-type = event type, detail = the message."""
    return {
        "Source": SOURCE,
        "DetailType": event.type,
        "Detail": json.dumps(event.as_message(), separators=(",", ":")),
        "EventBusName": target.event_bus,
        "Time": event.occurred_at,
    }


def deliver_target(target_id) -> str:
    """Send the target's due deliveries, ten per call, oldest first.

    Returns "busy" (another worker is at it), "skipped" (gone or disabled), "more"
    (work left for a next task) or "done".
    """
    with advisory_lock(f"eventbridge-target:{target_id}") as acquired:
        if not acquired:
            return "busy"
        for _ in range(BATCHES_PER_TASK):
            target = (
                EventBridgeTarget.objects.select_related("aws_account", "domain")
                .filter(pk=target_id, enabled=True)
                .first()
            )
            if target is None:
                return "skipped"
            due = list(
                EventBridgeDelivery.objects.filter(
                    target=target, status=PENDING, next_attempt_at__lte=timezone.now()
                )
                .select_related("event")
                .order_by("position")[:PUT_EVENTS_MAX_ENTRIES]
            )
            if not due:
                return "done"
            _send_batch(target, due)
        return "more"


def _send_batch(target, due: list) -> None:
    entries = [entry_for(target, delivery.event) for delivery in due]
    try:
        client = aws.client("events", account=target.aws_account, region=target.region)
        answer = client.put_events(Entries=entries)
    except (ClientError, BotoCoreError) as error:
        message = aws.describe_error(error)
        logger.warning("EventBridge put_events to %s failed: %s", target.event_bus, message)
        outcomes = [(None, message)] * len(due)
    else:
        outcomes = []
        for entry in answer.get("Entries", []):
            if entry.get("ErrorCode"):
                outcomes.append((None, f"{entry['ErrorCode']}: {entry.get('ErrorMessage', '')}"))
            else:
                outcomes.append((entry.get("EventId", ""), ""))
        # An answer that does not say for every entry: the rest count as failed.
        outcomes += [(None, "EventBridge did not answer for this entry.")] * (
            len(due) - len(outcomes)
        )
    _record(target, due, outcomes)


def _record(target, due: list, outcomes: list) -> None:
    now = timezone.now()
    given_up = []
    with transaction.atomic():
        for delivery, (eventbridge_id, error) in zip(due, outcomes, strict=True):
            attempts = delivery.attempts + 1
            fields = {"attempts": attempts, "updated_at": now}
            if eventbridge_id is not None:
                fields.update(
                    status=EventBridgeDeliveryStatus.DELIVERED,
                    delivered_at=now,
                    last_error="",
                    eventbridge_id=eventbridge_id[:64],
                    next_attempt_at=None,
                )
            else:
                delay = retry_delay(attempts)
                fields.update(last_error=error[:2000])
                if delay is None:
                    fields.update(status=EventBridgeDeliveryStatus.FAILED, next_attempt_at=None)
                    given_up.append((delivery, attempts, error))
                else:
                    fields.update(next_attempt_at=now + delay)
            # Compare-and-set: a delivery someone redelivered or reset meanwhile is theirs.
            EventBridgeDelivery.objects.filter(
                pk=delivery.pk, status=PENDING, attempts=delivery.attempts
            ).update(**fields)
        if any(eventbridge_id is not None for eventbridge_id, _ in outcomes):
            EventBridgeTarget.objects.filter(pk=target.pk).update(last_delivered_at=now)
        if given_up:
            _disable(target, *given_up[0], now=now)


def _disable(target, delivery, attempts: int, error: str, *, now) -> None:
    """Stop sending to a target whose deliveries keep failing, and tell its owners."""
    reason = (
        f"Disabled after {attempts} failed attempts to deliver event {delivery.event_id} "
        f"({delivery.event.type}). Last error: {error}"
    )
    moved = EventBridgeTarget.objects.filter(pk=target.pk, enabled=True).update(
        enabled=False, disabled_reason=reason, updated_at=now
    )
    if not moved:
        return
    for user in domain_owner_users(target.domain):
        notification_create(
            recipient=user,
            kind=NotificationKind.EVENT,
            topic="EVENTBRIDGE_DISABLED",
            title=f"EventBridge delivery to {target.event_bus} stopped",
            body=reason + " Fix the cause (the bus, the account's role, its permission "
            "events:PutEvents), then enable the target again: the failed events are sent "
            "again and nothing that happened meanwhile is lost.",
            link=f"/event-bridge-targets/{target.pk}/",
        )


def domain_owner_users(domain):
    """The domain's OWNERs: users named directly and members of the SSO groups named."""
    return users_named_by(DomainMembership.objects.filter(domain=domain, role=DomainRole.OWNER))


def reset_failed(target) -> int:
    """Give the FAILED deliveries of a re-enabled target a fresh set of attempts."""
    now = timezone.now()
    return EventBridgeDelivery.objects.filter(
        target=target, status=EventBridgeDeliveryStatus.FAILED
    ).update(status=PENDING, attempts=0, next_attempt_at=now, updated_at=now)
