"""Writes of webhook endpoints and deliveries.

Each function runs under transaction.atomic and starts the endpoint's drain with
transaction.on_commit. The signing secret is returned by ``endpoint_create`` and
``endpoint_rotate_secret`` only (the API shows it in those two answers, once).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from meshportal.events import EventType, event_record
from meshportal.exceptions import Conflict
from meshportal.models import Event
from projects.choices import NotificationKind
from projects.services.notifications import notification_create

from .choices import OPEN_STATUSES, DeliveryStatus
from .models import WebhookDelivery, WebhookEndpoint
from .models.endpoints import URL_MAX_LENGTH
from .permissions import owners_of_endpoint, require_webhook_manager
from .safety import UnsafeTarget, check_target
from .signing import encrypt, secret_generate

ENDPOINTS_PER_OWNER_MAX = 20
# Every type but the test event, which only "send a test event" sends.
SUBSCRIBABLE_TYPES = [t for t in EventType.values if t != EventType.WEBHOOK_TEST]
EVENT_TYPES_MAX = len(SUBSCRIBABLE_TYPES)
DISABLED_TOPIC = "WEBHOOK_DISABLED"


def endpoint_link(endpoint) -> str:
    return f"/webhooks/{endpoint.pk}/"


def _drain_later(endpoint_id) -> None:
    from .tasks import webhook_drain

    transaction.on_commit(lambda: webhook_drain.delay(str(endpoint_id)))


def _fan_out_later() -> None:
    from . import debounce
    from .tasks import webhooks_fan_out

    def enqueue():
        if debounce.claim():
            webhooks_fan_out.delay()

    transaction.on_commit(enqueue)


def _reopen_failed(endpoint) -> int:
    """The delivery whose last failed retry disabled the endpoint (marked FAILED as the
    endpoint was disabled) is queued again, with a fresh retry schedule."""
    return WebhookDelivery.objects.filter(
        endpoint=endpoint, status=DeliveryStatus.FAILED, updated_at=endpoint.disabled_at
    ).update(
        status=DeliveryStatus.PENDING,
        round_attempts=0,
        next_try_at=timezone.now(),
        updated_at=timezone.now(),
    )


def clean_url(url) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": ["Enter the URL the events are sent to."]})
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError({"url": [f"Use at most {URL_MAX_LENGTH:,} characters."]})
    try:
        check_target(url)
    except UnsafeTarget as error:
        raise ValidationError({"url": [str(error)]}) from error
    return url


def clean_event_types(event_types) -> list[str]:
    if not isinstance(event_types, (list, tuple)) or not event_types:
        raise ValidationError({"event_types": ["Choose at least one event type."]})
    if len(event_types) > EVENT_TYPES_MAX:
        raise ValidationError({"event_types": [f"Give at most {EVENT_TYPES_MAX} event types."]})
    unknown = [t for t in event_types if t not in SUBSCRIBABLE_TYPES]
    if unknown:
        shown = ", ".join(str(t)[:64] for t in unknown[:5])
        raise ValidationError({"event_types": [f"Unknown event type(s): {shown}."]})
    return sorted(set(event_types))


def _head() -> int:
    return (
        Event.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
        or 0
    )


@transaction.atomic
def endpoint_create(
    *, acting_user, url, event_types, project=None, domain=None, enabled=True
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for a project or a domain; returns it and its secret (shown
    once). It receives the events that happen from now on."""
    if (project is None) == (domain is None):
        raise ValidationError({"project": ["Give either a project or a domain."]})
    require_webhook_manager(acting_user, project=project, domain=domain)
    event_types = clean_event_types(event_types)
    url = clean_url(url)  # last: it may wait for DNS
    owner = Q(project=project) if project is not None else Q(domain=domain)
    if WebhookEndpoint.objects.filter(owner).count() >= ENDPOINTS_PER_OWNER_MAX:
        raise ValidationError(
            {"url": [f"At most {ENDPOINTS_PER_OWNER_MAX} webhook endpoints per project or domain."]}
        )
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        project=project,
        domain=domain,
        url=url,
        event_types=event_types,
        enabled=bool(enabled),
        secret_encrypted=encrypt(secret),
        cursor=_head(),
        created_by=acting_user,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, acting_user, endpoint, **changes) -> WebhookEndpoint:
    """Change the URL, the event types or ``enabled``.

    Enabling a disabled endpoint clears why it was disabled. One the portal disabled
    (its last retry failed) resumes where it stopped, at least once: the delivery that
    failed is tried again with a fresh schedule, then what was queued, then the events
    of its disabled period (its cursor stayed). One its owner disabled on purpose skips
    the events of its disabled period and starts from the events that happen from then
    on (what was queued before is still sent).
    """
    require_webhook_manager(acting_user, project=endpoint.project, domain=endpoint.domain)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = ["updated_at"]
    if "url" in changes:
        endpoint.url = clean_url(changes["url"])
        fields.append("url")
    if "event_types" in changes:
        endpoint.event_types = clean_event_types(changes["event_types"])
        fields.append("event_types")
    if "enabled" in changes and bool(changes["enabled"]) != endpoint.enabled:
        endpoint.enabled = bool(changes["enabled"])
        fields.append("enabled")
        if endpoint.enabled:
            if endpoint.disabled_at is not None:  # by the portal, after failing
                _reopen_failed(endpoint)
                _fan_out_later()
            else:  # by its owner: the disabled period is skipped
                endpoint.cursor = max(endpoint.cursor, _head())
            endpoint.disabled_reason, endpoint.disabled_at = "", None
            fields += ["disabled_reason", "disabled_at", "cursor"]
            _drain_later(endpoint.pk)  # what was queued before it was disabled
    endpoint.save(update_fields=fields)
    return endpoint


@transaction.atomic
def endpoint_delete(*, acting_user, endpoint) -> None:
    require_webhook_manager(acting_user, project=endpoint.project, domain=endpoint.domain)
    endpoint.delete()


@transaction.atomic
def endpoint_rotate_secret(*, acting_user, endpoint) -> tuple[WebhookEndpoint, str]:
    """A new secret (returned once); the current one keeps signing, beside the new one,
    for WEBHOOKS_SECRET_OVERLAP_SECONDS so receivers can switch without a gap."""
    require_webhook_manager(acting_user, project=endpoint.project, domain=endpoint.domain)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    now = timezone.now()
    secret = secret_generate()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = now + timedelta(
        seconds=settings.WEBHOOKS_SECRET_OVERLAP_SECONDS
    )
    endpoint.secret_encrypted = encrypt(secret)
    endpoint.secret_rotated_at = now
    endpoint.save(
        update_fields=[
            "previous_secret_encrypted",
            "previous_secret_expires_at",
            "secret_encrypted",
            "secret_rotated_at",
            "updated_at",
        ]
    )
    return endpoint, secret


def _require_enabled(endpoint) -> None:
    if not endpoint.enabled:
        raise Conflict("The endpoint is disabled: enable it first.")


@transaction.atomic
def endpoint_send_test(*, acting_user, endpoint) -> WebhookDelivery:
    """A ``webhook.test`` event for this endpoint only, sent at once (ahead of the queue).

    The event names no domain or project, so no feed or other endpoint shows it.
    """
    require_webhook_manager(acting_user, project=endpoint.project, domain=endpoint.domain)
    _require_enabled(endpoint)
    owner = (
        {"project": {"id": str(endpoint.project_id), "name": endpoint.project.name}}
        if endpoint.project_id
        else {"domain": {"id": str(endpoint.domain_id), "name": endpoint.domain.name}}
    )
    event = event_record(
        EventType.WEBHOOK_TEST,
        payload={
            "endpoint": {"id": str(endpoint.pk)},
            **owner,
            "message": "A test event sent from Mesh Portal.",
        },
        actor=acting_user,
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event=event, ordered=False, next_try_at=timezone.now()
    )
    _drain_later(endpoint.pk)
    return delivery


@transaction.atomic
def delivery_redeliver(*, acting_user, delivery) -> WebhookDelivery:
    """Send a delivery again now, ahead of the queue, with a fresh retry schedule
    (whatever its status: a receiver may have lost a message it acknowledged)."""
    endpoint = delivery.endpoint
    require_webhook_manager(acting_user, project=endpoint.project, domain=endpoint.domain)
    _require_enabled(endpoint)
    moved = (
        WebhookDelivery.objects.filter(pk=delivery.pk)
        .exclude(status=DeliveryStatus.SENDING)
        .update(
            status=DeliveryStatus.PENDING,
            ordered=False,
            round_attempts=0,
            next_try_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )
    if not moved:
        raise Conflict("The delivery is being sent right now; look again in a moment.")
    _drain_later(endpoint.pk)
    delivery.refresh_from_db()
    return delivery


def endpoint_disable_failing(*, endpoint, delivery, outcome, now=None) -> bool:
    """The last retry of a delivery failed: disable the endpoint and tell its owners
    (a notification each). Runs inside the drain's transaction that records the attempt;
    ``now`` is the time the delivery was marked FAILED (``endpoint_update`` reopens it
    when the endpoint is enabled again)."""
    now = now or timezone.now()
    what = f"HTTP {outcome.code}" if outcome.code is not None else outcome.error[:300]
    reason = (
        f"Disabled after the delivery of event {delivery.event_id} failed "
        f"{delivery.attempts + 1} times over about a day (last answer: {what})."
    )
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason, disabled_at=now, updated_at=now
    ):
        return False
    endpoint.enabled = False
    endpoint.refresh_from_db(fields=["url", "project", "domain"])
    owner = endpoint.project or endpoint.domain
    kind = "project" if endpoint.project_id else "domain"
    for user in owners_of_endpoint(endpoint):
        notification_create(
            recipient=user,
            kind=NotificationKind.EVENT,
            topic=DISABLED_TOPIC,
            title=f"Webhook endpoint of {kind} {owner.name} disabled",
            body=f"{reason} Fix the receiver, then enable the endpoint again; the events "
            f"queued for it are sent then.",
            link=endpoint_link(endpoint),
        )
    return True


def open_count(endpoint) -> int:
    return WebhookDelivery.objects.filter(endpoint=endpoint, status__in=OPEN_STATUSES).count()
