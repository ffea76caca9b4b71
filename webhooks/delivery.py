"""Delivery of outbox events to webhook endpoints (the fan-out is in webhooks.fan_out).

Delivery: one drain per endpoint at a time (a session advisory lock) sends its open
deliveries in position order. A failed attempt holds the later ones back until its retry
(webhooks.retry) succeeds or is the last, which disables the endpoint and tells its
owners. Test events and redeliveries a person asks for skip the queue.

At least once: a delivery is marked SENDING before the request and DELIVERED after the
2xx. A worker killed in between leaves it SENDING; the drain lock dies with the worker's
database session, so the next drain (the sweep starts one) sends it again. A receiver
deduplicates by ``webhook-id`` (the event id).

Per delivery the drain makes one database round trip: the claim of a delivery carries
the result of the attempt before it (see ``_claim``); rows are read as values, a batch at
a time, over one keep-alive connection per endpoint.
"""

import contextlib
import json
import logging
import os
import time
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from urllib3 import PoolManager, Timeout
from urllib3.exceptions import HTTPError

from meshportal.locks import advisory_lock
from meshportal.models import MESSAGE_FIELDS, event_message

from .choices import OPEN_STATUSES, DeliveryStatus
from .fan_out import fan_out_all, fan_out_endpoint  # noqa: F401 — the tasks call them here
from .models import WebhookDelivery, WebhookEndpoint
from .models.endpoints import RESPONSE_EXCERPT_BYTES
from .retry import retry_delay
from .safety import UnsafeTarget, check_target, guarded_pool_manager
from .signing import signature_header

logger = logging.getLogger(__name__)

DRAIN_BATCH = 100
# A drain yields the worker after this long (another endpoint's drain may be waiting);
# it enqueues itself to go on.
DRAIN_SLICE_SECONDS = 20.0
# Bytes of a response body read past the kept excerpt so that the connection can be
# reused; a longer body closes the connection instead of being read.
DRAIN_BODY_BYTES = 64 * 1024
USER_AGENT = "MeshPortal-Webhooks/1"


# --- sending ------------------------------------------------------------------------------

_pool_manager = None
_pool_pid = None


def http_pool() -> PoolManager:
    """One keep-alive connection pool per worker process (re-made after a fork): a drain
    reuses one connection per endpoint. urllib3 directly, not requests: requests'
    per-call preparation (URL, cookies, hooks, settings merge) was a large part of a
    delivery's CPU, and a drain needs none of it (no proxies, cookies or redirects)."""
    global _pool_manager, _pool_pid
    if _pool_manager is None or _pool_pid != os.getpid():
        _pool_manager, _pool_pid = guarded_pool_manager(maxsize=4), os.getpid()
    return _pool_manager


class Outcome:
    """What one attempt got: a status code and body excerpt, or an error."""

    def __init__(self, code=None, body="", error=""):
        self.code, self.body, self.error = code, body, error

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def _read_excerpt(response) -> str:
    excerpt = response.read(RESPONSE_EXCERPT_BYTES, decode_content=True) or b""
    rest = response.read(DRAIN_BODY_BYTES, decode_content=True) if len(excerpt) else b""
    if len(rest) >= DRAIN_BODY_BYTES:
        response.close()  # a huge body: drop the connection rather than read on
    return excerpt.decode("utf-8", errors="replace")


def message_bytes(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":"), sort_keys=True).encode()


# url → (checked at, refusal): the resolution before sending is remembered briefly, so a
# drain does not ask DNS once per message. The connection's own check (safety's pools)
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


def post(endpoint, event_id: str, body: bytes, *, now=None) -> Outcome:
    """One signed POST of an event's message to the endpoint (no redirects, bounded read)."""
    refusal = _target_refusal(endpoint.url)
    if refusal:
        return Outcome(error=refusal)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            endpoint.signing_secrets(now), event_id, timestamp, body
        ),
    }
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS
    try:
        response = http_pool().urlopen(
            "POST",
            endpoint.url,
            body=body,
            headers=headers,
            timeout=Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        try:
            excerpt = _read_excerpt(response)
        finally:
            response.release_conn()
    except (HTTPError, OSError) as error:
        # The message names the failure (timeout, refused, TLS); never the headers.
        return Outcome(error=f"{type(error).__name__}: {_reason(error)}"[:1000])
    outcome = Outcome(code=response.status, body=excerpt)
    if 300 <= response.status < 400:
        outcome.error = "Redirects are not followed: register the final URL."
    return outcome


def _reason(error) -> str:
    inner = error
    while inner.__context__ is not None and not isinstance(inner, UnsafeTarget):
        inner = inner.__context__
    return str(inner if isinstance(inner, UnsafeTarget) else error)


class Claimed:
    """A delivery marked SENDING by this drain, about to be attempted (its counters as
    the claim left them: ``attempts`` includes this attempt)."""

    __slots__ = ("id", "event_id", "ordered", "attempts", "round_attempts", "started")

    def __init__(self, row, attempts, round_attempts, started):
        self.id, self.event_id, self.ordered = row["id"], row["event_id"], row["ordered"]
        self.attempts, self.round_attempts, self.started = attempts, round_attempts, started


# The statements of one attempt are plain SQL sent in one round trip: the result of an
# attempt goes with the claim of the next delivery (see ``_claim``). A multi-statement
# query runs as one transaction, so an attempt and its delivery's state are written
# together, as before; the ORM's per-statement compiling was a large share of a
# delivery's CPU.
_RESULT_SQL = """
UPDATE webhooks_webhookdelivery
   SET status = %s, last_response_code = %s, last_response_body = %s, last_error = %s,
       sending_since = NULL, updated_at = %s, next_try_at = %s,
       delivered_at = COALESCE(%s, delivered_at)
 WHERE id = %s AND status = 'SENDING';
INSERT INTO webhooks_webhookattempt
       (delivery_id, number, started_at, duration_ms, response_code, response_body, error)
VALUES (%s, %s, %s, %s, %s, %s, %s);
"""
_CLAIM_SQL = """
UPDATE webhooks_webhookdelivery
   SET status = 'SENDING', attempts = attempts + 1, round_attempts = round_attempts + 1,
       sending_since = %s, last_attempt_at = %s, updated_at = %s
 WHERE id = %s AND status = %s
RETURNING attempts, round_attempts
"""


def _claim(row, carried: list) -> Claimed | None:
    """Mark the delivery SENDING (compare-and-set from the status the drain read), after
    writing the ``carried`` results of earlier attempts, in one round trip; None when
    another process changed the delivery meanwhile. The claim commits before the
    request: a worker killed during it leaves the delivery SENDING, to be sent again."""
    now = timezone.now()
    sql, params = "".join(s for s, _ in carried), [p for _, ps in carried for p in ps]
    with connection.cursor() as cursor:
        cursor.execute(sql + _CLAIM_SQL, [*params, now, now, now, row["id"], row["status"]])
        claimed = cursor.fetchone()
    carried.clear()
    return Claimed(row, *claimed, now) if claimed else None


def _flush(carried: list) -> None:
    """Write the carried results now (the drain stops or reads its next batch)."""
    if carried:
        with connection.cursor() as cursor:
            cursor.execute("".join(s for s, _ in carried), [p for _, ps in carried for p in ps])
        carried.clear()


def _result(claimed: Claimed, outcome: Outcome, duration_ms: int, now) -> tuple[str, list, bool]:
    """The statements that record the attempt, and whether the delivery is given up
    (its last retry failed)."""
    next_try_at = delivered_at = None
    given_up = False
    if outcome.ok:
        status, delivered_at = DeliveryStatus.DELIVERED, now
    else:
        delay = retry_delay(claimed.round_attempts)
        if delay is None:
            status, given_up = DeliveryStatus.FAILED, True
        else:
            status = DeliveryStatus.RETRYING
            next_try_at = now + delay * settings.WEBHOOKS_RETRY_DELAY_SCALE
    body = outcome.body.replace("\x00", "\ufffd")  # text columns refuse NUL
    error = outcome.error.replace("\x00", "\ufffd")
    params = [status.value, outcome.code, body, error, now, next_try_at, delivered_at]
    params += [claimed.id, claimed.id, claimed.attempts, claimed.started, duration_ms]
    params += [outcome.code, body, error]
    return _RESULT_SQL, params, given_up


def _give_up(claimed: Claimed, statements, endpoint, outcome: Outcome, now) -> None:
    """Record the last failed attempt and disable the endpoint, in one transaction
    (the delivery's ``updated_at`` is the endpoint's ``disabled_at``: re-enabling it
    finds the delivery it stopped at)."""
    from .endpoint_services import endpoint_disable_failing

    with transaction.atomic():
        _flush([statements])
        # What endpoint_disable_failing reads of the delivery (attempts before this one).
        delivery = SimpleNamespace(event_id=claimed.event_id, attempts=claimed.attempts - 1)
        endpoint_disable_failing(endpoint=endpoint, delivery=delivery, outcome=outcome, now=now)


def _attempt(row, endpoint, carried: list) -> tuple[bool | None, bool]:
    """One attempt of one delivery: (True delivered / False failed / None not claimed,
    given up). Its result is added to ``carried`` unless it was given up (written)."""
    claimed = _claim(row, carried)
    if claimed is None:
        return None, False
    clock = time.monotonic()
    outcome = post(endpoint, str(row["event_id"]), row["body"], now=claimed.started)
    duration_ms = int((time.monotonic() - clock) * 1000)
    if not outcome.ok:
        logger.info(
            "Webhook %s to endpoint %s failed (attempt %s): %s %s",
            row["event_id"],
            endpoint.pk,
            claimed.attempts,
            outcome.code,
            outcome.error,
        )
    elif logger.isEnabledFor(logging.INFO):
        logger.info("Webhook %s delivered to endpoint %s", row["event_id"], endpoint.pk)
    now = timezone.now()
    sql, params, given_up = _result(claimed, outcome, duration_ms, now)
    if given_up:
        _give_up(claimed, (sql, params), endpoint, outcome, now)
    else:
        carried.append((sql, params))
    return outcome.ok, given_up


# --- the drain ----------------------------------------------------------------------------

_ROW_FIELDS = ("id", "status", "ordered", "next_try_at", "event_id") + tuple(
    f"event__{field}" for field in MESSAGE_FIELDS
)


def _open(endpoint_id):
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status__in=OPEN_STATUSES)


def _rows(queryset) -> list[dict]:
    """Deliveries as dicts with their message's body (no model instance per delivery)."""
    rows = list(queryset.values(*_ROW_FIELDS)[:DRAIN_BATCH])
    for row in rows:
        row["body"] = message_bytes(event_message({f: row[f"event__{f}"] for f in MESSAGE_FIELDS}))
    return rows


def _next_batch(endpoint_id, now) -> tuple[list, object]:
    """The deliveries to send now, in order, and when to look again if none is due.

    Unordered ones (tests, redeliveries) that are due come first; then the ordered ones
    from the head of the queue while they are due (a head waiting for its retry holds
    the rest back).
    """
    unordered = _rows(
        _open(endpoint_id)
        .filter(ordered=False)
        .filter(Q(next_try_at__lte=now) | Q(status=DeliveryStatus.SENDING) | Q(next_try_at=None))
        .order_by("created_at")
    )
    if unordered:
        return unordered, None
    ordered = _rows(_open(endpoint_id).filter(ordered=True).order_by("position"))
    due = []
    for row in ordered:
        waiting = (
            row["status"] != DeliveryStatus.SENDING
            and row["next_try_at"] is not None
            and row["next_try_at"] > now
        )
        if waiting:
            break
        due.append(row)
    later = None
    if not due:
        heads = [row["next_try_at"] for row in ordered[:1]]
        heads += list(
            _open(endpoint_id)
            .filter(ordered=False, next_try_at__gt=now)
            .order_by("next_try_at")
            .values_list("next_try_at", flat=True)[:1]
        )
        later = min(heads) if heads else None
    return due, later


def _send_batch(batch, endpoint) -> tuple[int, int]:
    """Attempt the batch in order until an ordered one fails; (sent, failed)."""
    sent = failed = 0
    carried: list = []
    try:
        for row in batch:
            ok, given_up = _attempt(row, endpoint, carried)
            if ok:
                sent += 1
                continue
            failed += 1
            if row["ordered"] or given_up:
                break  # the head failed: the rest wait behind its retry
            _flush(carried)
            endpoint.refresh_from_db(fields=["enabled"])
            if not endpoint.enabled:
                break
    finally:
        _flush(carried)
    return sent, failed


def drain(endpoint_id) -> dict:
    """Send the endpoint's due deliveries in order, one drain per endpoint at a time.

    Returns what it did, and ``again_at`` (a datetime) when it should run again: a retry
    is due later, or its slice of the worker ran out.
    """
    with advisory_lock(f"webhooks.drain:{endpoint_id}") as acquired:
        if not acquired:
            return {"busy": True}
        with _commits_without_flush():
            return _drain_locked(endpoint_id)


@contextlib.contextmanager
def _commits_without_flush():
    """The drain's commits do not wait for the WAL flush (``synchronous_commit off``).

    At least once does not need them durable: a database crash can only lose the last
    moments of claims and results, which puts those deliveries back to where they were,
    so they are sent again; the deliveries themselves were created by the fan-out's
    durable commit. A drain commits once per delivery, and waiting for the disk each
    time was most of its wall-clock time. Other processes see each commit at once.
    """
    with connection.cursor() as cursor:
        # One statement reads the session's value and turns it off; the same value is
        # put back afterwards (not the default: a caller may have set its own).
        cursor.execute(
            "SELECT current_setting('synchronous_commit'), "
            "set_config('synchronous_commit', 'off', false)"
        )
        found = cursor.fetchone()[0]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [found])


def _drain_locked(endpoint_id) -> dict:
    sent = failed = 0
    started = time.monotonic()
    endpoint = None
    while True:
        fresh = WebhookEndpoint.objects.filter(pk=endpoint_id, enabled=True).first()
        if fresh is None:
            return {"sent": sent, "failed": failed, "disabled": True}
        if endpoint is not None:
            # Keep the decrypted secrets across batches (signing_secrets compares them
            # with the row's encrypted ones, so a rotation is seen).
            fresh.__dict__.setdefault("_signing_secrets", endpoint.__dict__.get("_signing_secrets"))
        endpoint = fresh
        batch, later = _next_batch(endpoint_id, timezone.now())
        if not batch:
            return {"sent": sent, "failed": failed, "again_at": later}
        batch_sent, batch_failed = _send_batch(batch, endpoint)
        sent, failed = sent + batch_sent, failed + batch_failed
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
