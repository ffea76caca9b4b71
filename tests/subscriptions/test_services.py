"""Services of the subscriptions app: the rules of the issue, one by one."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog.choices import ListingStatus
from meshportal.exceptions import Conflict
from projects.choices import Designation, NotificationKind, TaskStatus
from projects.models import Notification
from subscriptions import services
from subscriptions.choices import (
    SubscriptionRequestStatus,
    SubscriptionStatus,
)
from subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRequest
from subscriptions.signals import subscription_approved, subscription_ended
from tests.projects.factories import ProjectMembershipFactory, UserFactory

from .conftest import REASON


def _ask(user, listing, project, reason=REASON, **kwargs):
    return services.subscription_request_create(
        acting_user=user, listing=listing, project=project, reason=reason, **kwargs
    )


def _tomorrow(days=1):
    return (timezone.now() + datetime.timedelta(days=days)).date()


@pytest.fixture
def pending(listing, consumer_project, consumer, owner, steward):
    request, created = _ask(consumer, listing, consumer_project)
    assert created
    return request


# --- Requesting ---------------------------------------------------------------------------


def test_request_gives_every_approver_a_task_and_an_email(
    listing, consumer_project, consumer, owner, steward, django_capture_on_commit_callbacks
):
    group_member = UserFactory(username="film-owners-group-member")
    group_member.groups.create(name="film-owners")
    ProjectMembershipFactory(
        project=listing.project, user=None, group="film-owners", designation=Designation.OWNER
    )
    with django_capture_on_commit_callbacks(execute=True):
        request, created = _ask(consumer, listing, consumer_project, expires_at=_tomorrow(30))
    assert created and request.status == SubscriptionRequestStatus.PENDING
    assert request.expires_at.date() == _tomorrow(30)
    tasks = Notification.objects.filter(kind=NotificationKind.TASK, task_status=TaskStatus.ACTIVE)
    assert sorted(t.recipient.username for t in tasks) == sorted(
        [owner.username, steward.username, group_member.username]
    )
    assert all(t.link == f"/subscription-requests/{request.pk}/" for t in tasks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [owner.email, steward.email, group_member.email]
    )
    event = SubscriptionEvent.objects.get(request=request)
    assert (event.kind, event.actor, event.message) == ("REQUESTED", consumer, REASON)


def test_email_opt_out_keeps_the_inbox(
    listing, consumer_project, consumer, owner, django_capture_on_commit_callbacks
):
    services.email_preference_set(acting_user=owner, email_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        _ask(consumer, listing, consumer_project)
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=owner, kind=NotificationKind.TASK).count() == 1


def test_asking_again_returns_the_pending_request(pending, listing, consumer_project, consumer):
    again, created = _ask(consumer, listing, consumer_project, reason="Another reason")
    assert (again.pk, created) == (pending.pk, False)
    assert SubscriptionRequest.objects.count() == 1


def test_contributor_may_request_viewer_may_not(
    listing, consumer_project, consumer_contributor, consumer_viewer
):
    _, created = _ask(consumer_contributor, listing, consumer_project)
    assert created
    SubscriptionRequest.objects.all().delete()
    with pytest.raises(PermissionDenied, match="contributor or owner"):
        _ask(consumer_viewer, listing, consumer_project)
    assert not SubscriptionRequest.objects.exists()


def test_a_project_cannot_subscribe_to_its_own_listing(listing, project, owner):
    with pytest.raises(ValidationError, match="cannot subscribe to its own listing"):
        _ask(owner, listing, project)
    assert not SubscriptionRequest.objects.exists()


def test_unpublished_listing_is_refused(listing, consumer_project, consumer):
    listing.status = ListingStatus.INACTIVE
    listing.save()
    with pytest.raises(ValidationError, match="not published"):
        _ask(consumer, listing, consumer_project)
    assert not SubscriptionRequest.objects.exists()


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "cannot be empty"), ("   \n\t ", "cannot be empty"), ("x" * 5000, "at most 4096")],
)
def test_bad_reasons_are_refused(listing, consumer_project, consumer, reason, message):
    with pytest.raises(ValidationError, match=message):
        _ask(consumer, listing, consumer_project, reason=reason)
    assert not SubscriptionRequest.objects.exists()
    assert not Notification.objects.exists()


def test_expiry_in_the_past_is_refused(listing, consumer_project, consumer):
    with pytest.raises(ValidationError, match="in the future"):
        _ask(consumer, listing, consumer_project, expires_at=_tomorrow(-2))
    assert not SubscriptionRequest.objects.exists()


def test_asking_while_subscribed_is_a_conflict_naming_it(
    pending, listing, consumer_project, consumer, owner
):
    subscription = services.subscription_request_accept(acting_user=owner, request=pending)
    with pytest.raises(Conflict, match=str(subscription.pk)):
        _ask(consumer, listing, consumer_project)
    assert SubscriptionRequest.objects.count() == 1


def test_open_listing_is_accepted_at_once_automatically(listing, consumer_project, consumer, owner):
    listing.approval_required = False
    listing.save()
    request, created = _ask(consumer, listing, consumer_project)
    assert created and request.status == SubscriptionRequestStatus.ACCEPTED
    assert request.reviewer is None
    subscription = Subscription.objects.get(request=request)
    assert subscription.status == SubscriptionStatus.APPROVED
    accepted = SubscriptionEvent.objects.get(request=request, kind="ACCEPTED")
    assert accepted.actor_name == "automatic" and "automatically" in accepted.message
    assert not Notification.objects.filter(kind=NotificationKind.TASK).exists()


# --- Deciding -----------------------------------------------------------------------------


def test_accept_makes_the_subscription_closes_tasks_and_tells_the_requester(
    pending, consumer, owner, steward, django_capture_on_commit_callbacks
):
    seen = []

    def receiver(sender, subscription, **kwargs):
        # Sent inside the approving transaction: the subscription row exists already.
        seen.append(Subscription.objects.filter(pk=subscription.pk, status="APPROVED").exists())

    subscription_approved.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            subscription = services.subscription_request_accept(
                acting_user=steward,
                request=pending,
                decision_comment="Approved for the campaign",
                expires_at=_tomorrow(10),
            )
    finally:
        subscription_approved.disconnect(receiver)
    assert seen == [True]
    pending.refresh_from_db()
    assert pending.status == "ACCEPTED" and pending.reviewer == steward
    assert pending.decision_comment == "Approved for the campaign"
    assert subscription.listing_revision == pending.listing.revision
    assert subscription.expires_at.date() == _tomorrow(10)
    assert not Notification.objects.filter(kind="TASK", task_status="ACTIVE").exists()
    event = Notification.objects.get(recipient=consumer, kind="EVENT")
    assert event.link == f"/subscriptions/{subscription.pk}/"
    assert consumer.email in [m.to[0] for m in mail.outbox]


def test_accept_may_shorten_but_not_lengthen_the_expiry(listing, consumer_project, consumer, owner):
    request, _ = _ask(consumer, listing, consumer_project, expires_at=_tomorrow(30))
    with pytest.raises(ValidationError, match="shorten that, not lengthen"):
        services.subscription_request_accept(
            acting_user=owner, request=request, expires_at=_tomorrow(60)
        )
    assert not Subscription.objects.exists()
    request.refresh_from_db()
    assert request.status == "PENDING"


def test_reject_requires_a_comment(pending, owner, consumer):
    for comment in ("", "   "):
        with pytest.raises(ValidationError, match="saying why"):
            services.subscription_request_reject(
                acting_user=owner, request=pending, decision_comment=comment
            )
    services.subscription_request_reject(
        acting_user=owner, request=pending, decision_comment="Use the aggregated table"
    )
    pending.refresh_from_db()
    assert pending.status == "REJECTED" and pending.decided_at is not None
    assert Notification.objects.get(recipient=consumer, kind="EVENT").body == (
        "Use the aggregated table"
    )


def test_only_approvers_decide(pending, consumer, contributor, viewer, outsider):
    for user in (consumer, contributor, viewer, outsider):
        with pytest.raises(PermissionDenied, match="owner of project Film Catalog Project"):
            services.subscription_request_accept(acting_user=user, request=pending)
        with pytest.raises(PermissionDenied):
            services.subscription_request_reject(
                acting_user=user, request=pending, decision_comment="no"
            )
    pending.refresh_from_db()
    assert pending.status == "PENDING" and not Subscription.objects.exists()


def test_deciding_a_decided_request_is_a_conflict(pending, owner):
    services.subscription_request_reject(acting_user=owner, request=pending, decision_comment="no")
    with pytest.raises(Conflict, match="already rejected"):
        services.subscription_request_accept(acting_user=owner, request=pending)
    assert not Subscription.objects.exists()


def test_accepting_after_unpublish_is_a_conflict_but_reject_works(pending, listing, owner):
    listing.status = ListingStatus.INACTIVE
    listing.save()
    with pytest.raises(Conflict, match="unpublished"):
        services.subscription_request_accept(acting_user=owner, request=pending)
    services.subscription_request_reject(
        acting_user=owner, request=pending, decision_comment="Withdrawn"
    )
    pending.refresh_from_db()
    assert pending.status == "REJECTED"


def test_requester_or_consumer_owner_cancels(pending, consumer_contributor, outsider, owner):
    for user in (consumer_contributor, outsider, owner):
        with pytest.raises(PermissionDenied, match="requester or an owner"):
            services.subscription_request_cancel(acting_user=user, request=pending)
    services.subscription_request_cancel(acting_user=pending.requester, request=pending)
    pending.refresh_from_db()
    assert pending.status == "CANCELLED"
    assert not Notification.objects.filter(task_status="ACTIVE", kind="TASK").exists()


# --- Ending subscriptions -----------------------------------------------------------------


def test_revoke_ends_it_once_and_a_new_request_is_needed(
    pending, listing, consumer_project, consumer, owner
):
    subscription = services.subscription_request_accept(acting_user=owner, request=pending)
    ended = []

    def receiver(sender, subscription, **kwargs):
        ended.append(subscription.status)

    subscription_ended.connect(receiver)
    try:
        with pytest.raises(PermissionDenied):
            services.subscription_revoke(acting_user=consumer, subscription=subscription)
        services.subscription_revoke(
            acting_user=owner, subscription=subscription, reason="Campaign over"
        )
        with pytest.raises(Conflict, match="already revoked"):
            services.subscription_revoke(acting_user=owner, subscription=subscription)
    finally:
        subscription_ended.disconnect(receiver)
    assert ended == ["REVOKED"]
    subscription.refresh_from_db()
    assert (subscription.status, subscription.ended_by, subscription.end_reason) == (
        "REVOKED",
        owner,
        "Campaign over",
    )
    assert Notification.objects.filter(recipient=consumer, topic="SUBSCRIPTION_REVOKED").exists()
    again, created = _ask(consumer, listing, consumer_project)
    assert created and again.status == "PENDING"


def test_consumer_cancels_the_subscription(pending, consumer, owner, outsider):
    subscription = services.subscription_request_accept(acting_user=owner, request=pending)
    with pytest.raises(PermissionDenied):
        services.subscription_cancel(acting_user=outsider, subscription=subscription)
    services.subscription_cancel(acting_user=consumer, subscription=subscription)
    subscription.refresh_from_db()
    assert subscription.status == "CANCELLED" and subscription.ended_by == consumer


def test_expiry_task_warns_then_ends_once(pending, consumer, owner):
    from subscriptions.tasks import expire_subscriptions

    subscription = services.subscription_request_accept(
        acting_user=owner, request=pending, expires_at=_tomorrow(3)
    )
    assert expire_subscriptions() == {"expired": 0, "warned": 1}
    assert expire_subscriptions() == {"expired": 0, "warned": 0}
    warnings = Notification.objects.filter(topic="SUBSCRIPTION_EXPIRES_SOON")
    assert {n.recipient for n in warnings} >= {consumer, owner}
    Subscription.objects.filter(pk=subscription.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert expire_subscriptions() == {"expired": 1, "warned": 0}
    assert expire_subscriptions() == {"expired": 0, "warned": 0}
    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_reason, subscription.ended_by) == (
        "REVOKED",
        "expired",
        None,
    )
    kinds = list(
        SubscriptionEvent.objects.filter(request=pending)
        .exclude(kind="GRANT")  # the sharing app's lines ("no fitting environment")
        .values_list("kind", flat=True)
    )
    assert kinds == ["REQUESTED", "ACCEPTED", "EXPIRY_WARNING", "EXPIRED"]
    assert Notification.objects.filter(recipient=consumer, topic="SUBSCRIPTION_EXPIRED").exists()


def test_republish_with_changed_columns_tells_subscribers(
    pending, listing, consumer, owner, consumer_viewer
):
    from catalog.models import AssetColumn
    from catalog.services import asset_publish

    subscription = services.subscription_request_accept(acting_user=owner, request=pending)
    asset = listing.asset
    AssetColumn.objects.filter(asset=asset, name="column_4").delete()
    AssetColumn.objects.create(asset=asset, name="rating", data_type="string", position=5)
    asset_publish(acting_user=owner, asset=asset)
    event = SubscriptionEvent.objects.get(subscription=subscription, kind="REPUBLISHED")
    assert event.data["added"] == ["rating"] and event.data["removed"] == ["column_4"]
    told = Notification.objects.filter(topic="SUBSCRIPTION_LISTING_CHANGED")
    assert {n.recipient for n in told} == {consumer, consumer_viewer}
    assert "added rating; removed column_4" in told.first().body
    # Republishing unchanged columns says nothing new.
    asset_publish(acting_user=owner, asset=asset)
    assert SubscriptionEvent.objects.filter(kind="REPUBLISHED").count() == 1
