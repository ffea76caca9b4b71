"""Subscription requests, subscriptions and their timeline.

A request is a consumer project asking for a listing with a reason; its owners decide.
An accepted request makes a Subscription, the thing the sharing app grants access for
and takes it away again when it ends. The timeline (SubscriptionEvent) is what a person
reads to learn who did what and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from meshportal.models import BaseModel, user_reference

from .choices import SubscriptionEventKind, SubscriptionRequestStatus, SubscriptionStatus

REASON_MAX_LENGTH = 4096
COMMENT_MAX_LENGTH = 4096
END_REASON_MAX_LENGTH = 4096


class SubscriptionRequest(BaseModel):
    """A project asking for a listing, with the reason its owners decide on.

    At most one PENDING request per listing × project is a database constraint, so two
    submits of the same form (or two API retries) cannot both make one.
    """

    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="subscription_requests"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="subscription_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="subscription_requests",
    )
    reason = models.CharField(max_length=REASON_MAX_LENGTH)
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The expiry the requester asks for; the approver may shorten it.",
    )
    status = models.CharField(
        max_length=16,
        choices=SubscriptionRequestStatus.choices,
        default=SubscriptionRequestStatus.PENDING,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_subscription_requests",
    )
    decision_comment = models.CharField(max_length=COMMENT_MAX_LENGTH, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "project"],
                condition=Q(status=SubscriptionRequestStatus.PENDING),
                name="subscriptionrequest_one_pending",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="subscriptionrequest_reason"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="subrequest_status_newest"),
            models.Index(fields=["project", "-created_at"], name="subrequest_project_newest"),
        ]

    def __str__(self):
        return f"{self.project} → {self.listing} ({self.status})"


class Subscription(BaseModel):
    """A project's approved access to a listing, and how and why it ended.

    ``listing_revision`` keeps which published revision was approved, so a republish with
    changed columns can tell subscribers what changed since. At most one APPROVED
    subscription per listing × project (a database constraint).
    """

    listing = models.ForeignKey(
        "catalog.Listing", on_delete=models.CASCADE, related_name="subscriptions"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="subscriptions"
    )
    request = models.OneToOneField(
        SubscriptionRequest, on_delete=models.CASCADE, related_name="subscription"
    )
    listing_revision = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=SubscriptionStatus.choices, default=SubscriptionStatus.APPROVED
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When both sides were told it expires within 7 days."
    )
    ended_by = user_reference()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=END_REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "project"],
                condition=Q(status=SubscriptionStatus.APPROVED),
                name="subscription_one_approved",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="subscription_status_expiry"),
            models.Index(fields=["project", "-created_at"], name="subscription_project_newest"),
        ]

    def __str__(self):
        return f"{self.project} ⇐ {self.listing} ({self.status})"


class SubscriptionEvent(BaseModel):
    """One line of the timeline a person reads on the request and subscription pages.

    ``actor`` null means the portal did it by itself ("automatic": an open listing, an
    expiry, a grant task). ``data`` carries what a line needs beyond its message (the
    columns added or removed by a republish, a grant's environment and status).
    """

    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    request = models.ForeignKey(
        SubscriptionRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=SubscriptionEventKind.choices)
    actor = user_reference()
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subscription__isnull=False) | Q(request__isnull=False),
                name="subscriptionevent_has_subject",
            ),
        ]
        indexes = [
            models.Index(fields=["request", "created_at"], name="subevent_request_time"),
            models.Index(fields=["subscription", "created_at"], name="subevent_subscription_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor_id else "automatic"


class EmailPreference(BaseModel):
    """A person's choice about subscription emails (shown on their profile).

    No row means email is on: people who never visited their profile still hear about
    the requests they must decide.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    email_enabled = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.user}: email {'on' if self.email_enabled else 'off'}"
