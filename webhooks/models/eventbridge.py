"""EventBridge targets: a domain sends its events to a bus in one of its AWS accounts.

Delivery reads the outbox like the feed does: a target keeps a ``cursor`` (the last
outbox position it has looked at), the fan-out turns the events after it into one
``EventBridgeDelivery`` each, and the delivery task sends those with ``put_events`` in
batches of ten, retrying failed entries on webhooks.retry's schedule.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models

from meshportal.models import BaseModel, user_reference

EVENT_BUS_MAX_LENGTH = 1600  # an ARN: arn:aws:events:<region>:<account>:event-bus/<256>


class EventBridgeDeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    DELIVERED = "DELIVERED", "Delivered"
    FAILED = "FAILED", "Failed"


class EventBridgeTarget(BaseModel):
    """A domain's EventBridge bus, reached through one of the domain's AWS accounts.

    ``event_types`` empty means every type. The events sent are those of the domain and
    of its projects (a subscription across domains reaches both sides' buses).
    ``cursor`` only moves forward; a disabled target keeps it, so re-enabling it sends
    what happened meanwhile.
    """

    domain = models.ForeignKey(
        "projects.Domain", on_delete=models.CASCADE, related_name="event_bridge_targets"
    )
    aws_account = models.ForeignKey(
        "projects.AwsAccount", on_delete=models.CASCADE, related_name="event_bridge_targets"
    )
    event_bus = models.CharField(
        max_length=EVENT_BUS_MAX_LENGTH,
        help_text="The bus's name (in the account) or ARN; 'default' for the default bus.",
    )
    event_types = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True)
    cursor = models.BigIntegerField(default=0, editable=False)
    created_by = user_reference()
    last_delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain__name", "event_bus"]
        constraints = [
            models.UniqueConstraint(
                fields=["aws_account", "event_bus"], name="eventbridgetarget_unique_bus"
            )
        ]

    def __str__(self):
        return f"{self.event_bus} in {self.aws_account.account_id}"

    @property
    def region(self) -> str:
        """The bus's region: the ARN's, else the account's."""
        if self.event_bus.startswith("arn:"):
            parts = self.event_bus.split(":")
            if len(parts) > 3 and parts[3]:
                return parts[3]
        return self.aws_account.region

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class EventBridgeDelivery(BaseModel):
    """One event on its way to one target: attempts, the next try and the last error.

    ``position`` copies the event's outbox position so a batch is picked in order
    without a join.
    """

    target = models.ForeignKey(
        EventBridgeTarget, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey("meshportal.Event", on_delete=models.CASCADE, related_name="+")
    position = models.BigIntegerField()
    status = models.CharField(
        max_length=16,
        choices=EventBridgeDeliveryStatus.choices,
        default=EventBridgeDeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    eventbridge_id = models.CharField(
        max_length=64, blank=True, help_text="The EventId EventBridge answered."
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "event"], name="eventbridgedelivery_once_per_target"
            )
        ]
        indexes = [
            models.Index(
                fields=["target", "position"],
                condition=models.Q(status="PENDING"),
                name="eventbridge_pending",
            ),
            models.Index(fields=["target", "-position"], name="eventbridge_newest"),
        ]

    def __str__(self):
        return f"{self.event_id} → {self.target_id} ({self.status})"
