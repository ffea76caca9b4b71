"""Writes of EventBridge targets: platform admins and the domain's OWNERs configure
where a domain's events go."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from meshportal.events import EventType, events_sequence
from meshportal.models import Event
from meshportal.services import save_unique
from projects.permissions import require_domain_manager

from ..models import EventBridgeTarget
from ..models.eventbridge import EVENT_BUS_MAX_LENGTH
from .delivery import reset_failed

BUS_NAME = re.compile(r"^[A-Za-z0-9._\-/]{1,256}$")
BUS_ARN = re.compile(
    r"^arn:aws[a-z\-]*:events:(?P<region>[a-z0-9\-]+):(?P<account>\d{12}):"
    r"event-bus/(?P<name>[A-Za-z0-9._\-/]{1,256})$"
)
TARGET_TYPES = [value for value in EventType.values if value != EventType.WEBHOOK_TEST]
UNIQUE_ERROR = {"event_bus": "This account's bus is a target already."}


def clean_event_bus(value, aws_account) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            {"event_bus": "Enter the bus's name or ARN ('default' for the default bus)."}
        )
    value = value.strip()
    if len(value) > EVENT_BUS_MAX_LENGTH:
        raise ValidationError({"event_bus": f"Use at most {EVENT_BUS_MAX_LENGTH} characters."})
    if value.startswith("arn:"):
        match = BUS_ARN.match(value)
        if match is None:
            raise ValidationError(
                {
                    "event_bus": "Not an event bus ARN (arn:aws:events:<region>:<account>:event-bus/<name>)."
                }
            )
        if match["account"] != aws_account.account_id:
            raise ValidationError(
                {
                    "event_bus": f"The bus is in account {match['account']}, not in "
                    f"{aws_account.account_id} (the account chosen)."
                }
            )
        return value
    if BUS_NAME.match(value) is None:
        raise ValidationError(
            {"event_bus": "A bus name has 1–256 letters, digits and . _ - / only."}
        )
    return value


def clean_event_types(value) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError({"event_types": "Give a list of event types (empty: all)."})
    unknown = [item for item in value if item not in TARGET_TYPES]
    if unknown:
        raise ValidationError(
            {"event_types": f"Unknown event type(s): {', '.join(map(str, unknown[:5]))}."}
        )
    return sorted(set(value))


def _check_account(domain, aws_account) -> None:
    if aws_account.domain_id != domain.pk:
        raise ValidationError(
            {"aws_account": f"Account {aws_account.account_id} belongs to another domain; "
             f"choose one of domain {domain.name}."}
        )  # fmt: skip


@transaction.atomic
def event_bridge_target_create(
    *, acting_user, domain, aws_account, event_bus, event_types=(), enabled: bool = True
) -> EventBridgeTarget:
    """Send the domain's events from now on to a bus (history is not replayed: a
    target starts at the outbox's current end)."""
    require_domain_manager(acting_user, domain, "send the domain's events to EventBridge")
    _check_account(domain, aws_account)
    target = EventBridgeTarget(
        domain=domain,
        aws_account=aws_account,
        event_bus=clean_event_bus(event_bus, aws_account),
        event_types=clean_event_types(list(event_types or [])),
        enabled=bool(enabled),
        created_by=acting_user,
    )
    events_sequence()
    target.cursor = Event.objects.aggregate(high=Max("position"))["high"] or 0
    save_unique(target, UNIQUE_ERROR)
    return target


@transaction.atomic
def event_bridge_target_update(*, acting_user, target: EventBridgeTarget, **changes):
    """Change the bus, the types or enable/disable. Enabling a target that was disabled
    gives its failed deliveries a fresh set of attempts."""
    require_domain_manager(acting_user, target.domain, "change EventBridge targets")
    target = (
        EventBridgeTarget.objects.select_for_update()
        .select_related("aws_account", "domain")
        .get(pk=target.pk)
    )
    was_enabled = target.enabled
    if "event_bus" in changes:
        target.event_bus = clean_event_bus(changes["event_bus"], target.aws_account)
    if "event_types" in changes:
        target.event_types = clean_event_types(changes["event_types"])
    if "enabled" in changes:
        target.enabled = bool(changes["enabled"])
        if target.enabled:
            target.disabled_reason = ""
    target.updated_at = timezone.now()
    save_unique(target, UNIQUE_ERROR)
    if target.enabled and not was_enabled:
        reset_failed(target)
    return target


@transaction.atomic
def event_bridge_target_delete(*, acting_user, target: EventBridgeTarget) -> None:
    require_domain_manager(acting_user, target.domain, "delete EventBridge targets")
    target.delete()
