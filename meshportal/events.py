"""The event outbox: a durable, ordered record of what happened in the portal.

Every service that changes something a platform team may automate around (a subscription
approved, a grant completed, a listing published…) calls :func:`event_record` inside the
transaction of its change, so an event exists exactly when its change committed. Higher
apps read the outbox (the webhooks app delivers it, the feed API pages through it); this
module imports no app, as the kernel may not.

Order without gaps. Transactions commit in another order than they insert, so an
insertion sequence would let a reader page past position 11 while position 10 is still
uncommitted, and miss it for good. Rows are therefore written without a position, and
:func:`events_sequence` numbers the committed ones afterwards, one sequencer at a time
(an advisory lock held to its commit): a position becomes visible only after every lower
one, so a cursor (the last position read) never skips an event. The sequencer runs after
every commit that recorded events and before every read of the outbox (feed, fan-out).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction
from django.dispatch import Signal

# Sent after the commit of a transaction that recorded events, once they are numbered.
# The webhooks app connects to it to fan the events out without waiting for its sweep.
events_committed = Signal()


class EventType(models.TextChoices):
    """Every event type the portal emits (the webhook subscription vocabulary)."""

    SUBSCRIPTION_REQUEST_CREATED = "subscription_request.created", "Subscription request created"
    SUBSCRIPTION_REQUEST_ACCEPTED = "subscription_request.accepted", "Subscription request accepted"
    SUBSCRIPTION_REQUEST_REJECTED = "subscription_request.rejected", "Subscription request rejected"
    SUBSCRIPTION_REQUEST_CANCELLED = (
        "subscription_request.cancelled",
        "Subscription request cancelled",
    )
    SUBSCRIPTION_CREATED = "subscription.created", "Subscription created"
    SUBSCRIPTION_REVOKED = "subscription.revoked", "Subscription revoked"
    SUBSCRIPTION_CANCELLED = "subscription.cancelled", "Subscription cancelled"
    SUBSCRIPTION_EXPIRED = "subscription.expired", "Subscription expired"
    SUBSCRIPTION_GRANT_REQUESTED = "subscription_grant.requested", "Grant requested"
    SUBSCRIPTION_GRANT_COMPLETED = "subscription_grant.completed", "Grant completed"
    SUBSCRIPTION_GRANT_FAILED = "subscription_grant.failed", "Grant failed"
    SUBSCRIPTION_GRANT_REVOKE_REQUESTED = (
        "subscription_grant.revoke_requested",
        "Grant revoke requested",
    )
    SUBSCRIPTION_GRANT_REVOKE_COMPLETED = (
        "subscription_grant.revoke_completed",
        "Grant revoke completed",
    )
    SUBSCRIPTION_GRANT_REVOKE_FAILED = "subscription_grant.revoke_failed", "Grant revoke failed"
    LISTING_PUBLISHED = "listing.published", "Listing published"
    LISTING_UNPUBLISHED = "listing.unpublished", "Listing unpublished"
    DATA_SOURCE_RUN_FINISHED = "data_source_run.finished", "Data source run finished"
    ENVIRONMENT_ACTIVE = "environment.active", "Environment active"
    ENVIRONMENT_FAILED = "environment.failed", "Environment failed"
    ENVIRONMENT_DELETED = "environment.deleted", "Environment deleted"
    # Sent only to one endpoint by "send a test event"; never written by a change.
    WEBHOOK_TEST = "webhook.test", "Test event"


def event_record(
    event_type: str,
    *,
    payload: dict,
    domain_id=None,
    project_ids: Iterable = (),
    actor=None,
):
    """Write one event in the current transaction (which must be the change's own).

    ``payload`` carries the ids and the names a person needs (JSON-serialisable);
    ``domain_id`` and ``project_ids`` say who may see the event (feed, webhooks) and
    outlive the objects (plain UUIDs, not foreign keys: an audit trail keeps the events
    of a deleted project). ``actor`` is the user who acted, None for the portal itself.
    """
    event = _event(event_type, payload, domain_id, project_ids, actor)
    _in_the_change()
    event.save(force_insert=True)
    return event


def events_record(events: Iterable[dict]) -> list:
    """Write several events in one INSERT, in the current transaction, in the order given
    (the order they are numbered in): each a dict of ``event_record``'s arguments, with
    ``event_type``. For a change that reports many things at once (a batch of grants)."""
    from meshportal.models import Event

    rows = [
        _event(
            one["event_type"],
            one["payload"],
            one.get("domain_id"),
            one.get("project_ids", ()),
            one.get("actor"),
        )
        for one in events
    ]
    if not rows:
        return []
    _in_the_change()
    return Event.objects.bulk_create(rows)


def _event(event_type, payload, domain_id, project_ids, actor):
    from meshportal.models import Event  # the model module imports this one

    if event_type not in EventType.values:
        raise ValueError(f"Unknown event type {event_type!r}.")
    signed_in = getattr(actor, "is_authenticated", False)
    return Event(
        type=event_type,
        domain_id=domain_id,
        project_ids=sorted({str(pid) for pid in project_ids if pid}),
        actor=actor if signed_in else None,
        actor_name=actor.get_username() if signed_in else "",
        payload=payload,
    )


def _in_the_change() -> None:
    """Refuse to write outside a transaction, and number the events after its commit."""
    if not connection.in_atomic_block:
        # Outside a transaction the event would commit on its own and could survive a
        # change that then fails: "no event without its change" needs the atomic block.
        raise RuntimeError("Record an event inside the transaction of the change it reports.")
    # Once per transaction, however many events it records: the sequencer and the
    # fan-out it triggers handle every committed event at once.
    if not any(func is _committed for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_committed, robust=True)


def _committed() -> None:
    from meshportal.models import Event

    events_sequence()
    events_committed.send(sender=Event)


# --- Sequencing ---------------------------------------------------------------------------

SEQUENCER_LOCK = "meshportal.events.sequence"
SEQUENCE_BATCH = 5000


def events_sequence(*, wait: bool = False) -> int:
    """Give committed, unnumbered events their positions; returns how many it numbered.

    With ``wait`` False a sequencer already at work is left to it (its numbers become
    visible when it commits, and any reader simply sees them on its next read).
    """
    numbered = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
            cursor.execute(f"SELECT {lock}(hashtext(%s))::text", [SEQUENCER_LOCK])
            if cursor.fetchone()[0] == "false":
                return numbered
            # Positions follow the order of recording (row_number over ``recorded``) and
            # come from the position sequence in one draw (nextval, then setval to the
            # last one used), so no number depends on the order in which the plan visits
            # rows and none is ever given twice. MATERIALIZED: each part runs once.
            cursor.execute(
                """
                WITH todo AS MATERIALIZED (
                    SELECT id, row_number() OVER (
                        ORDER BY recorded NULLS FIRST, occurred_at, id
                    ) AS n
                    FROM meshportal_event WHERE position IS NULL
                    ORDER BY recorded NULLS FIRST, occurred_at, id LIMIT %s
                ), base AS MATERIALIZED (
                    SELECT setval(
                        'meshportal_event_position_seq',
                        nextval('meshportal_event_position_seq') + count(*) - 1
                    ) - count(*) AS before
                    FROM todo HAVING count(*) > 0
                )
                UPDATE meshportal_event AS event SET position = base.before + todo.n
                FROM todo, base WHERE event.id = todo.id
                """,
                [SEQUENCE_BATCH],
            )
            numbered += cursor.rowcount
            if cursor.rowcount < SEQUENCE_BATCH:
                return numbered


def cursor_parse(value) -> int:
    """The position a cursor names (0 for none); ValueError for a malformed one."""
    if value in (None, ""):
        return 0
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise ValueError("Not a cursor: use the 'cursor' of a previous answer.")
    return int(text)
