"""Model base shared by every app."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Func, Value
from django.utils import timezone


def user_reference():
    """A reference to the person who did something (created, decided, ended it).

    The row outlives the account: deleting the user sets it to null, and User gets no
    reverse accessor (``related_name="+"``) for each of the portal's dozen such fields.
    A function, not a Field subclass, so migrations still see a plain ForeignKey.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class BaseModel(models.Model):
    """UUID primary key and timestamps.

    UUIDs keep URLs and API ids unguessable and stable across databases, which matters
    for a catalog whose links are pasted into tickets and chats.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class EventQuerySet(models.QuerySet):
    def after(self, position: int):
        """Numbered events after ``position``, in order (see meshportal.events)."""
        return self.filter(position__gt=position).order_by("position")


class Event(models.Model):
    """One thing that happened, written in the same transaction as the change it reports.

    The outbox the webhooks, the event feed and EventBridge read; see meshportal.events
    for how ``position`` is drawn after commit. ``domain_id`` and ``project_ids`` are
    plain ids on purpose: the kernel depends on no app, and an audit trail outlives the
    projects it names.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64, db_index=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    domain_id = models.UUIDField(null=True, blank=True, db_index=True)
    project_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    actor = user_reference()
    # The actor's username when the event happened: the trail keeps it if the user goes.
    actor_name = models.CharField(max_length=150, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # Set after commit by meshportal.events.events_sequence: the outbox's gap-free order.
    position = models.BigIntegerField(null=True, blank=True, unique=True, editable=False)
    # The order events were written in, drawn from a sequence at insert: the sequencer
    # numbers committed events in this order, so one transaction's events keep theirs
    # even when the clock gives two of them the same occurred_at. Null only for events
    # written before the column existed (numbered first, by occurred_at).
    recorded = models.BigIntegerField(
        null=True,
        editable=False,
        db_default=Func(Value("meshportal_event_recorded_seq"), function="nextval"),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(
                fields=["occurred_at"], condition=models.Q(position=None), name="event_unnumbered"
            ),
            GinIndex(fields=["project_ids"], name="event_project_ids"),
        ]

    def __str__(self):
        return f"{self.type} {self.occurred_at:%Y-%m-%d %H:%M:%S}"

    def as_message(self) -> dict:
        """The event as every reader receives it: webhook body, feed item, EventBridge detail.

        One shape everywhere, so a script written against the feed handles webhooks too.
        ``data`` is the type's payload (documented per type in the README and OpenAPI).
        """
        return event_message({field: getattr(self, field) for field in MESSAGE_FIELDS})


# The columns Event.as_message reads: a reader that sends thousands (a webhook drain)
# reads these with values() and calls event_message, without a model instance each.
MESSAGE_FIELDS = (
    "id",
    "position",
    "type",
    "occurred_at",
    "domain_id",
    "project_ids",
    "actor_name",
    "payload",
)


def event_message(row: dict) -> dict:
    """Event.as_message of a row holding MESSAGE_FIELDS."""
    return {
        "id": str(row["id"]),
        "cursor": str(row["position"]) if row["position"] else None,
        "type": row["type"],
        "timestamp": row["occurred_at"].isoformat(),
        "domain": str(row["domain_id"]) if row["domain_id"] else None,
        "projects": [str(project_id) for project_id in row["project_ids"]],
        "actor": row["actor_name"] or None,
        "data": row["payload"],
    }
