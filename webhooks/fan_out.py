"""Fan-out of outbox events to webhook endpoints.

For each enabled endpoint, under an advisory lock on it, the events after its cursor that
it subscribed to become WebhookDelivery rows (one INSERT … SELECT) and the cursor moves
on, in one transaction. The sequencer runs first, so the cursor never passes an event
that is still unnumbered (meshportal.events).
"""

from django.db import connection, transaction

from meshportal.events import events_sequence
from meshportal.models import Event

from .models import WebhookEndpoint

FAN_OUT_BATCH = 2000


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
