"""Fan-out of outbox events to webhook endpoints, and their delivery.

Fan-out: for each enabled endpoint, under an advisory lock on it, the events after its
cursor that it subscribed to become WebhookDelivery rows (one INSERT … SELECT) and the
cursor moves on, in one transaction. The sequencer runs first, so the cursor never passes
an event that is still unnumbered (meshportal.events).

Delivery: one drain per endpoint at a time (a session advisory lock) sends its open
deliveries in position order. A failed attempt holds the later ones back until its retry
(webhooks.retry) succeeds or is the last, which disables the endpoint and tells its
owners. Test events and redeliveries a person asks for skip the queue.

At least once: a delivery is marked SENDING before the request and DELIVERED after the
2xx. A worker killed in between leaves it SENDING; the drain lock dies with the worker's
database session, so the next drain (the sweep starts one) sends it again. A receiver
deduplicates by ``webhook-id`` (the event id).
"""

import json
import logging
import os
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from meshportal.events import events_sequence
from meshportal.locks import advisory_lock
from meshportal.models import Event

from .choices import OPEN_STATUSES, DeliveryStatus
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .models.endpoints import RESPONSE_EXCERPT_BYTES
from .retry import retry_delay
from .safety import GuardedAdapter, UnsafeTarget, check_target
from .signing import signature_header

logger = logging.getLogger(__name__)

FAN_OUT_BATCH = 2000
DRAIN_BATCH = 100
# A drain yields the worker after this long (another endpoint's drain may be waiting);
# it enqueues itself to go on.
DRAIN_SLICE_SECONDS = 20.0
# Bytes of a response body read past the kept excerpt so that the connection can be
# reused; a longer body closes the connection instead of being read.
DRAIN_BODY_BYTES = 64 * 1024
USER_AGENT = "MeshPortal-Webhooks/1"


# --- fan-out ------------------------------------------------------------------------------


def _fan_out_lock(endpoint_id) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"webhooks.fan-out:{endpoint_id}"]
        )


def fan_out_endpoint(endpoint_id, *, head: int | None = None) -> int:
    """Create the endpoint's deliveries for the events after its cursor (up to ``head``,
    the highest numbered position); returns how many it created."""
    if head is None:
        head = (
            Event.objects.filter(position__isnull=False)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
            or 0
        )
    created = 0
    while True:
        with transaction.atomic():
            _fan_out_lock(endpoint_id)
            endpoint = (
                WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True)
                .only("id", "project_id", "domain_id", "event_types", "cursor")
                .first()
            )
            if endpoint is None or endpoint.cursor >= head:
                return created
            if endpoint.project_id:
                scope, scope_value = "event.project_ids @> ARRAY[%s]::uuid[]", endpoint.project_id
            else:
                scope, scope_value = "event.domain_id = %s::uuid", endpoint.domain_id
            with connection.cursor() as cursor:
                # Positions below ``head`` are all committed (the sequencer numbers them in
                # commit order), so the scan never skips one that appears later.
                cursor.execute(
                    f"""
                    WITH picked AS (
                        SELECT event.id, event.position FROM meshportal_event AS event
                        WHERE event.position > %s AND event.position <= %s
                          AND event.type = ANY(%s) AND {scope}
                        ORDER BY event.position LIMIT %s
                    ), inserted AS (
                        INSERT INTO webhooks_webhookdelivery (
                            id, created_at, updated_at, endpoint_id, event_id, position,
                            ordered, status, attempts, round_attempts, next_try_at,
                            last_response_body, last_error
                        )
                        SELECT gen_random_uuid(), now(), now(), %s::uuid, picked.id,
                               picked.position, true, 'PENDING', 0, 0, now(), '', ''
                        FROM picked
                        ON CONFLICT (event_id, endpoint_id) DO NOTHING
                        RETURNING 1
                    )
                    SELECT (SELECT count(*) FROM picked), (SELECT max(position) FROM picked),
                           (SELECT count(*) FROM inserted)
                    """,  # noqa: S608 — ``scope`` is one of two constants above
                    [
                        endpoint.cursor,
                        head,
                        list(endpoint.event_types),
                        str(scope_value),
                        FAN_OUT_BATCH,
                        str(endpoint.pk),
                    ],
                )
                picked, last, inserted = cursor.fetchone()
            created += inserted
            cursor_to = last if picked == FAN_OUT_BATCH else head
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(cursor=cursor_to)
            if picked < FAN_OUT_BATCH:
                return created


def fan_out_all() -> list[str]:
    """Fan out to every enabled endpoint behind the outbox's head; the ids of the
    endpoints that received deliveries (their drains are to be started)."""
    events_sequence()
    head = (
        Event.objects.filter(position__isnull=False)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    if not head:
        return []
    busy = []
    for endpoint_id in WebhookEndpoint.objects.filter(enabled=True, cursor__lt=head).values_list(
        "pk", flat=True
    ):
        if fan_out_endpoint(endpoint_id, head=head):
            busy.append(str(endpoint_id))
    return busy


# --- sending ------------------------------------------------------------------------------

_session = None
_session_pid = None


def http_session() -> requests.Session:
    """One keep-alive session per worker process (re-made after a fork)."""
    global _session, _session_pid
    if _session is None or _session_pid != os.getpid():
        session = requests.Session()
        session.trust_env = False  # no proxies or .netrc credentials from the environment
        adapter = GuardedAdapter(pool_maxsize=4)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _session, _session_pid = session, os.getpid()
    return _session


class Outcome:
    """What one attempt got: a status code and body excerpt, or an error."""

    def __init__(self, code=None, body="", error=""):
        self.code, self.body, self.error = code, body, error

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def _read_excerpt(response) -> str:
    raw = response.raw
    excerpt = raw.read(RESPONSE_EXCERPT_BYTES, decode_content=True) or b""
    rest = raw.read(DRAIN_BODY_BYTES, decode_content=True) if len(excerpt) else b""
    if len(rest) >= DRAIN_BODY_BYTES:
        response.close()  # a huge body: drop the connection rather than read on
    return excerpt.decode("utf-8", errors="replace")


def message_body(event) -> bytes:
    return json.dumps(event.as_message(), separators=(",", ":"), sort_keys=True).encode()


# url → (checked at, refusal): the resolution before sending is remembered briefly, so a
# drain does not ask DNS once per message. The connection's own check (GuardedAdapter)
# still sees every address actually reached.
_TARGET_CHECK_SECONDS = 30.0
_target_checks: dict = {}


def _target_refusal(url: str) -> str:
    key = (url, settings.WEBHOOKS_ALLOW_INSECURE, settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS)
    checked = _target_checks.get(key)
    if checked is not None and time.monotonic() - checked[0] < _TARGET_CHECK_SECONDS:
        return checked[1]
    try:
        check_target(url)
        refusal = ""
    except UnsafeTarget as error:
        refusal = str(error)
    if len(_target_checks) > 1000:
        _target_checks.clear()
    _target_checks[key] = (time.monotonic(), refusal)
    return refusal


def post(endpoint, event, *, now=None) -> Outcome:
    """One signed POST of the event to the endpoint (no redirects, bounded read)."""
    refusal = _target_refusal(endpoint.url)
    if refusal:
        return Outcome(error=refusal)
    body = message_body(event)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": str(event.id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            endpoint.signing_secrets(now), str(event.id), timestamp, body
        ),
    }
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    try:
        response = http_session().post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        )
        with response:
            excerpt = _read_excerpt(response)
    except requests.RequestException as error:
        # The message names the failure (timeout, refused, TLS); never the headers.
        return Outcome(error=f"{type(error).__name__}: {_reason(error)}"[:1000])
    outcome = Outcome(code=response.status_code, body=excerpt)
    if 300 <= response.status_code < 400:
        outcome.error = "Redirects are not followed: register the final URL."
    return outcome


def _reason(error) -> str:
    inner = error
    while inner.__context__ is not None and not isinstance(inner, UnsafeTarget):
        inner = inner.__context__
    return str(inner if isinstance(inner, UnsafeTarget) else error)


def _claim(delivery, now) -> bool:
    """Mark the delivery SENDING (compare-and-set from what the drain read)."""
    return bool(
        WebhookDelivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            round_attempts=F("round_attempts") + 1,
            sending_since=now,
            last_attempt_at=now,
            updated_at=now,
        )
    )


def _record(delivery, endpoint, outcome: Outcome, started, duration_ms) -> bool:
    """Write the attempt and the delivery's new state; True when the endpoint may go on
    (delivered, or given up on a non-ordered delivery)."""
    number = delivery.attempts + 1
    now = timezone.now()
    fields = {
        "last_response_code": outcome.code,
        "last_response_body": outcome.body,
        "last_error": outcome.error,
        "sending_since": None,
        "updated_at": now,
    }
    given_up = False
    if outcome.ok:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=now, next_try_at=None)
    else:
        delay = retry_delay(delivery.round_attempts + 1)
        if delay is None:
            given_up = True
            fields.update(status=DeliveryStatus.FAILED, next_try_at=None)
        else:
            delay = delay * settings.WEBHOOKS_RETRY_DELAY_SCALE
            fields.update(status=DeliveryStatus.RETRYING, next_try_at=now + delay)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            **fields
        )
        WebhookAttempt.objects.create(
            delivery_id=delivery.pk,
            number=number,
            started_at=started,
            duration_ms=duration_ms,
            response_code=outcome.code,
            response_body=outcome.body,
            error=outcome.error,
        )
        if given_up:
            from .endpoint_services import endpoint_disable_failing

            endpoint_disable_failing(endpoint=endpoint, delivery=delivery, outcome=outcome)
    return outcome.ok


def send(delivery, endpoint) -> bool:
    """One attempt of one delivery; True when it was delivered."""
    started = timezone.now()
    if not _claim(delivery, started):
        return False
    clock = time.monotonic()
    outcome = post(endpoint, delivery.event, now=started)
    duration_ms = int((time.monotonic() - clock) * 1000)
    if outcome.ok:
        logger.info("Webhook %s delivered to endpoint %s", delivery.event_id, endpoint.pk)
    else:
        logger.info(
            "Webhook %s to endpoint %s failed (attempt %s): %s %s",
            delivery.event_id,
            endpoint.pk,
            delivery.attempts + 1,
            outcome.code,
            outcome.error,
        )
    return _record(delivery, endpoint, outcome, started, duration_ms)


# --- the drain ----------------------------------------------------------------------------


def _open(endpoint_id):
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status__in=OPEN_STATUSES)


def _next_batch(endpoint_id, now) -> tuple[list, object]:
    """The deliveries to send now, in order, and when to look again if none is due.

    Unordered ones (tests, redeliveries) that are due come first; then the ordered ones
    from the head of the queue while they are due (a head waiting for its retry holds
    the rest back).
    """
    unordered = list(
        _open(endpoint_id)
        .filter(ordered=False)
        .filter(Q(next_try_at__lte=now) | Q(status=DeliveryStatus.SENDING) | Q(next_try_at=None))
        .select_related("event")
        .order_by("created_at")[:DRAIN_BATCH]
    )
    if unordered:
        return unordered, None
    ordered = list(
        _open(endpoint_id)
        .filter(ordered=True)
        .select_related("event")
        .order_by("position")[:DRAIN_BATCH]
    )
    due = []
    for delivery in ordered:
        waiting = (
            delivery.status != DeliveryStatus.SENDING
            and delivery.next_try_at is not None
            and delivery.next_try_at > now
        )
        if waiting:
            break
        due.append(delivery)
    later = None
    if not due:
        heads = [d.next_try_at for d in ordered[:1]]
        heads += list(
            _open(endpoint_id)
            .filter(ordered=False, next_try_at__gt=now)
            .order_by("next_try_at")
            .values_list("next_try_at", flat=True)[:1]
        )
        later = min(heads) if heads else None
    return due, later


def drain(endpoint_id) -> dict:
    """Send the endpoint's due deliveries in order, one drain per endpoint at a time.

    Returns what it did, and ``again_at`` (a datetime) when it should run again: a retry
    is due later, or its slice of the worker ran out.
    """
    sent = failed = 0
    started = time.monotonic()
    with advisory_lock(f"webhooks.drain:{endpoint_id}") as acquired:
        if not acquired:
            return {"busy": True}
        while True:
            endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).first()
            if endpoint is None:
                return {"sent": sent, "failed": failed, "disabled": True}
            now = timezone.now()
            batch, later = _next_batch(endpoint_id, now)
            if not batch:
                return {"sent": sent, "failed": failed, "again_at": later}
            for delivery in batch:
                if send(delivery, endpoint):
                    sent += 1
                    continue
                failed += 1
                if delivery.ordered:
                    break  # the head failed: the rest wait behind its retry
                endpoint.refresh_from_db(fields=["enabled"])
                if not endpoint.enabled:
                    break
            if time.monotonic() - started > DRAIN_SLICE_SECONDS:
                return {"sent": sent, "failed": failed, "again_at": timezone.now()}


def drain_needed(endpoint_id) -> bool:
    """True when a drain would send something now (asked after a drain let go of its
    lock: a drain refused meanwhile left its deliveries to it)."""
    if not WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).exists():
        return False
    due, _later = _next_batch(endpoint_id, timezone.now())
    return bool(due)


def sweep_targets(now=None) -> list[str]:
    """Endpoints whose drain should run: a due delivery (a retry whose task was lost) or
    one SENDING past its lease (its worker died mid-request)."""
    now = now or timezone.now()
    lease = now - timedelta(seconds=settings.WEBHOOKS_SENDING_LEASE_SECONDS)
    due = (
        WebhookDelivery.objects.filter(endpoint__enabled=True)
        .filter(
            Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING], next_try_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, sending_since__lt=lease)
        )
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
    return [str(pk) for pk in due]
