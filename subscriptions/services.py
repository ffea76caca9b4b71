"""Writes of the subscriptions app.

Each service is ``<noun>_<verb>(*, acting_user, ...)``, runs in one transaction, checks
that the acting user may do it, and raises ValidationError (bad input, naming the field),
PermissionDenied (not allowed) or Conflict (the state has moved on). State moves by
compare-and-set, so two approvers deciding at once cannot both win.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.choices import ListingStatus
from meshportal.events import EventType
from meshportal.exceptions import Conflict
from projects.choices import Designation
from projects.permissions import require_designation

from . import notifications as notify
from .choices import SubscriptionEventKind, SubscriptionRequestStatus, SubscriptionStatus
from .events import request_outbox_record, subscription_outbox_record
from .inputs import clean_expiry, clean_text
from .models import (
    COMMENT_MAX_LENGTH,
    END_REASON_MAX_LENGTH,
    REASON_MAX_LENGTH,
    EmailPreference,
    Subscription,
    SubscriptionEvent,
    SubscriptionRequest,
)
from .permissions import require_approver, require_consumer_canceller
from .signals import subscription_approved, subscription_ended

PENDING = SubscriptionRequestStatus.PENDING
APPROVED = SubscriptionStatus.APPROVED
EXPIRY_WARNING_DAYS = 7


# --- The timeline -------------------------------------------------------------------------


def _actor(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def subscription_event_record(
    *, subscription, kind, acting_user=None, message: str = "", data=None
) -> SubscriptionEvent:
    """Add a line to a subscription's timeline (the one way other apps, sharing, do it).

    The line is also shown on the request page, so it carries the subscription's request.
    ``acting_user`` None is shown as "automatic".
    """
    return subscription_events_record(
        [dict(subscription=subscription, message=message, data=data)],
        kind=kind,
        acting_user=acting_user,
    )[0]


def subscription_events_record(lines, *, kind, acting_user=None) -> list[SubscriptionEvent]:
    """Lines of one kind on several timelines in one INSERT (a batch of grants): each a
    dict with ``subscription``, ``message`` and ``data``."""
    if kind not in SubscriptionEventKind.values:
        raise ValueError(f"Unknown subscription event kind {kind!r}.")
    actor = _actor(acting_user)
    return SubscriptionEvent.objects.bulk_create(
        SubscriptionEvent(
            subscription=line["subscription"],
            request_id=line["subscription"].request_id,
            kind=kind,
            actor=actor,
            message=line.get("message") or "",
            data=line.get("data") or {},
        )
        for line in lines
    )


def _request_event(request, kind, acting_user, message="", data=None) -> SubscriptionEvent:
    return SubscriptionEvent.objects.create(
        request=request, kind=kind, actor=_actor(acting_user), message=message, data=data or {}
    )


# --- Requests -----------------------------------------------------------------------------


@transaction.atomic
def subscription_request_create(
    *, acting_user, listing, project, reason: str, expires_at=None
) -> tuple[SubscriptionRequest, bool]:
    """Ask for ``listing`` on behalf of ``project``; returns (request, created).

    Asking again while a request is PENDING returns that one (a retried submit makes no
    second request; the database's one-pending constraint settles a race). A listing
    open to all is accepted at once, by nobody ("automatic").
    """
    if listing.status != ListingStatus.ACTIVE:
        raise ValidationError({"listing": f"“{listing.name}” is not published."})
    if listing.project_id == project.pk:
        raise ValidationError(
            {
                "project": f"Project {project.name} owns “{listing.name}” already; "
                "a project cannot subscribe to its own listing."
            }
        )
    require_designation(
        acting_user, project, Designation.CONTRIBUTOR, f"request subscriptions for {project.name}"
    )
    reason = clean_text(reason, "reason", REASON_MAX_LENGTH, required=True, what="a reason")
    expires_at = clean_expiry(expires_at)

    pending = SubscriptionRequest.objects.filter(listing=listing, project=project, status=PENDING)
    existing = pending.first()
    if existing is not None:
        return existing, False
    held = Subscription.objects.filter(listing=listing, project=project, status=APPROVED).first()
    if held is not None:
        raise Conflict(
            f"Project {project.name} already holds an approved subscription to "
            f"“{listing.name}” (subscription {held.pk})."
        )
    request = SubscriptionRequest(
        listing=listing,
        project=project,
        requester=acting_user,
        reason=reason,
        expires_at=expires_at,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another submit made it between our check and our insert: that one is the request.
        existing = pending.first()
        if existing is None:
            raise
        return existing, False
    _request_event(request, SubscriptionEventKind.REQUESTED, acting_user, reason)
    request_outbox_record(
        EventType.SUBSCRIPTION_REQUEST_CREATED, request, actor=_actor(acting_user)
    )
    if not listing.approval_required:
        _accept(
            request,
            acting_user=None,
            comment="Accepted automatically: the listing is open to all.",
            expires_at=request.expires_at,
        )
        request.refresh_from_db()
    else:
        notify.notify_request_created(request)
    return request, True


def _lock_pending(request) -> SubscriptionRequest:
    """Re-read the request under a row lock; 409 when someone decided it meanwhile."""
    current = (
        SubscriptionRequest.objects.select_for_update(of=("self",))
        .select_related("listing", "listing__project", "listing__domain", "project", "requester")
        .get(pk=request.pk)
    )
    if current.status != PENDING:
        raise Conflict(
            f"This request is already {current.get_status_display().lower()}; "
            "it can no longer be decided or cancelled."
        )
    return current


def _move(request, new_status, **fields) -> None:
    """Compare-and-set PENDING → new_status; 409 when another decision won the race."""
    moved = SubscriptionRequest.objects.filter(pk=request.pk, status=PENDING).update(
        status=new_status, updated_at=timezone.now(), **fields
    )
    if moved != 1:
        raise Conflict("This request was decided by someone else a moment ago.")
    for name, value in fields.items():
        setattr(request, name, value)
    request.status = new_status


def _accept(request, *, acting_user, comment: str, expires_at) -> Subscription:
    now = timezone.now()
    _move(
        request,
        SubscriptionRequestStatus.ACCEPTED,
        reviewer=_actor(acting_user),
        decision_comment=comment,
        decided_at=now,
        expires_at=expires_at,
    )
    subscription = Subscription.objects.create(
        listing=request.listing,
        project=request.project,
        request=request,
        listing_revision=request.listing.revision,
        status=APPROVED,
        expires_at=expires_at,
    )
    SubscriptionEvent.objects.create(
        request=request,
        subscription=subscription,
        kind=SubscriptionEventKind.ACCEPTED,
        actor=_actor(acting_user),
        message=comment,
    )
    # Before sharing hears of it: the grants' events follow the subscription's.
    request_outbox_record(
        EventType.SUBSCRIPTION_REQUEST_ACCEPTED, request, actor=_actor(acting_user)
    )
    subscription_outbox_record(
        EventType.SUBSCRIPTION_CREATED, subscription, actor=_actor(acting_user)
    )
    notify.close_request_tasks(request)
    until = f" until {expires_at:%Y-%m-%d}" if expires_at else ""
    notify.notify_requester(
        request,
        topic="SUBSCRIPTION_ACCEPTED",
        title=f"Accepted: {request.project.name} subscribes to {request.listing.name}{until}",
        body=comment or "The request was accepted.",
        link=notify.subscription_link(subscription),
    )
    # Inside this transaction: sharing creates its grants with the subscription.
    subscription_approved.send(sender=Subscription, subscription=subscription)
    return subscription


@transaction.atomic
def subscription_request_accept(
    *, acting_user, request: SubscriptionRequest, decision_comment: str = "", expires_at=None
) -> Subscription:
    """Accept a PENDING request: the subscription is made and sharing is told, at once.

    The approver may set an expiry, or shorten the one asked for (never lengthen it).
    """
    require_approver(acting_user, request.listing, "accept subscription requests")
    comment = clean_text(
        decision_comment,
        "decision_comment",
        COMMENT_MAX_LENGTH,
        required=False,
        what="a comment",
    )
    chosen = clean_expiry(expires_at)
    request = _lock_pending(request)
    if request.listing.status != ListingStatus.ACTIVE:
        raise Conflict(
            f"“{request.listing.name}” was unpublished after this request was made, so it "
            "cannot be accepted; reject it or let the requester cancel it."
        )
    if chosen is not None and request.expires_at is not None and chosen > request.expires_at:
        raise ValidationError(
            {
                "expires_at": f"The requester asked until {request.expires_at:%Y-%m-%d}; "
                "an approver may shorten that, not lengthen it."
            }
        )
    return _accept(
        request, acting_user=acting_user, comment=comment, expires_at=chosen or request.expires_at
    )


@transaction.atomic
def subscription_request_reject(
    *, acting_user, request: SubscriptionRequest, decision_comment: str
) -> SubscriptionRequest:
    """Reject a PENDING request; the comment is required so the consumer learns why."""
    require_approver(acting_user, request.listing, "reject subscription requests")
    comment = clean_text(
        decision_comment,
        "decision_comment",
        COMMENT_MAX_LENGTH,
        required=True,
        what="a comment saying why",
    )
    request = _lock_pending(request)
    _move(
        request,
        SubscriptionRequestStatus.REJECTED,
        reviewer=acting_user,
        decision_comment=comment,
        decided_at=timezone.now(),
    )
    _request_event(request, SubscriptionEventKind.REJECTED, acting_user, comment)
    request_outbox_record(
        EventType.SUBSCRIPTION_REQUEST_REJECTED, request, actor=_actor(acting_user)
    )
    notify.close_request_tasks(request)
    notify.notify_requester(
        request,
        topic="SUBSCRIPTION_REJECTED",
        title=f"Rejected: {request.project.name}'s request for {request.listing.name}",
        body=comment,
        link=notify.request_link(request),
    )
    return request


@transaction.atomic
def subscription_request_cancel(
    *, acting_user, request: SubscriptionRequest
) -> SubscriptionRequest:
    """The requester (or an owner of the subscriber project) withdraws a PENDING request."""
    require_consumer_canceller(acting_user, request, "cancel this request")
    request = _lock_pending(request)
    _move(request, SubscriptionRequestStatus.CANCELLED, decided_at=timezone.now())
    _request_event(request, SubscriptionEventKind.CANCELLED, acting_user, "Request cancelled.")
    request_outbox_record(
        EventType.SUBSCRIPTION_REQUEST_CANCELLED, request, actor=_actor(acting_user)
    )
    notify.close_request_tasks(request)
    return request


# --- Subscriptions ------------------------------------------------------------------------


_END_EVENTS = {
    SubscriptionEventKind.REVOKED: EventType.SUBSCRIPTION_REVOKED,
    SubscriptionEventKind.CANCELLED: EventType.SUBSCRIPTION_CANCELLED,
    SubscriptionEventKind.EXPIRED: EventType.SUBSCRIPTION_EXPIRED,
}


def _end(subscription, *, new_status, acting_user, reason: str, kind) -> Subscription:
    """Compare-and-set APPROVED → new_status, record it, tell sharing (in this transaction)."""
    now = timezone.now()
    moved = Subscription.objects.filter(pk=subscription.pk, status=APPROVED).update(
        status=new_status,
        ended_by=_actor(acting_user),
        ended_at=now,
        end_reason=reason,
        updated_at=now,
    )
    if moved != 1:
        current = Subscription.objects.get(pk=subscription.pk)
        raise Conflict(f"This subscription is already {current.get_status_display().lower()}.")
    # What the UPDATE wrote (a refresh_from_db would drop the loaded listing and projects).
    subscription.status, subscription.ended_by = new_status, _actor(acting_user)
    subscription.ended_at, subscription.end_reason = now, reason
    subscription.updated_at = now
    subscription_event_record(
        subscription=subscription, kind=kind, acting_user=acting_user, message=reason
    )
    # Before sharing hears of it: the revokes' events follow the subscription's.
    subscription_outbox_record(_END_EVENTS[kind], subscription, actor=_actor(acting_user))
    subscription_ended.send(sender=Subscription, subscription=subscription)
    return subscription


def _subscriptions_with_parties():
    """Subscriptions with what ending one reads (listing, both projects, the request and
    its requester) joined in, so the end, its events and its notices cost one query."""
    return Subscription.objects.select_related(
        "listing",
        "listing__project",
        "listing__domain",
        "project",
        "request",
        "request__requester",
        "request__project",
    )


def _get_subscription(subscription) -> Subscription:
    return _subscriptions_with_parties().get(pk=subscription.pk)


@transaction.atomic
def subscription_revoke(
    *, acting_user, subscription: Subscription, reason: str = ""
) -> Subscription:
    """The owning side ends a subscription. It is never re-approved: a new request is needed."""
    subscription = _get_subscription(subscription)
    require_approver(acting_user, subscription.listing, "revoke subscriptions")
    reason = clean_text(reason, "reason", END_REASON_MAX_LENGTH, required=False, what="a reason")
    subscription = _end(
        subscription,
        new_status=SubscriptionStatus.REVOKED,
        acting_user=acting_user,
        reason=reason,
        kind=SubscriptionEventKind.REVOKED,
    )
    notify.notify_requester(
        subscription.request,
        topic="SUBSCRIPTION_REVOKED",
        title=f"Revoked: {subscription.project.name}'s subscription to {subscription.listing.name}",
        body=reason or f"{acting_user.get_username()} revoked the subscription.",
        link=notify.subscription_link(subscription),
    )
    return subscription


@transaction.atomic
def subscription_cancel(*, acting_user, subscription: Subscription) -> Subscription:
    """The consuming side unsubscribes."""
    subscription = _get_subscription(subscription)
    require_consumer_canceller(acting_user, subscription.request, "cancel this subscription")
    return _end(
        subscription,
        new_status=SubscriptionStatus.CANCELLED,
        acting_user=acting_user,
        reason="Unsubscribed.",
        kind=SubscriptionEventKind.CANCELLED,
    )


@transaction.atomic
def subscription_expire(*, subscription_id) -> bool:
    """End one subscription whose expiry passed (REVOKED, reason "expired"); False when it
    is gone, already ended or not yet due (safe to run twice)."""
    subscription = (
        _subscriptions_with_parties()
        .filter(pk=subscription_id, status=APPROVED, expires_at__lte=timezone.now())
        .first()
    )
    if subscription is None:
        return False
    try:
        _end(
            subscription,
            new_status=SubscriptionStatus.REVOKED,
            acting_user=None,
            reason="expired",
            kind=SubscriptionEventKind.EXPIRED,
        )
    except Conflict:
        return False
    title = f"Expired: {subscription.project.name}'s subscription to {subscription.listing.name}"
    notify.notify(
        _both_sides(subscription),
        kind="EVENT",
        topic="SUBSCRIPTION_EXPIRED",
        title=title,
        body=f"The subscription expired on {subscription.expires_at:%Y-%m-%d}.",
        link=notify.subscription_link(subscription),
    )
    return True


def _both_sides(subscription) -> list:
    people = list(notify.approver_users(subscription.listing))
    if subscription.request.requester_id:
        people.append(subscription.request.requester)
    return people


@transaction.atomic
def subscription_warn_expiry(*, subscription_id) -> bool:
    """Tell both sides, once, that a subscription expires within 7 days."""
    now = timezone.now()
    warned = Subscription.objects.filter(
        pk=subscription_id,
        status=APPROVED,
        expiry_warned_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
    ).update(expiry_warned_at=now)
    if warned != 1:
        return False
    subscription = _get_subscription(Subscription(pk=subscription_id))
    message = f"This subscription expires on {subscription.expires_at:%Y-%m-%d}."
    subscription_event_record(
        subscription=subscription, kind=SubscriptionEventKind.EXPIRY_WARNING, message=message
    )
    notify.notify(
        _both_sides(subscription),
        kind="EVENT",
        topic="SUBSCRIPTION_EXPIRES_SOON",
        title=f"Expires soon: {subscription.project.name}'s subscription to "
        f"{subscription.listing.name}",
        body=message + " Ask again (a new request) to keep access.",
        link=notify.subscription_link(subscription),
    )
    return True


# --- Preferences --------------------------------------------------------------------------


@transaction.atomic
def email_preference_set(*, acting_user, email_enabled: bool) -> EmailPreference:
    """A person turns subscription emails on or off (the inbox keeps everything)."""
    preference, _ = EmailPreference.objects.update_or_create(
        user=acting_user, defaults={"email_enabled": bool(email_enabled)}
    )
    return preference
