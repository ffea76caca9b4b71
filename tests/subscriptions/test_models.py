"""The database keeps the rules that races would otherwise break."""

import pytest
from django.db import IntegrityError, transaction

from subscriptions.choices import SubscriptionEventKind, SubscriptionRequestStatus
from subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRequest
from subscriptions.services import subscription_event_record

from .conftest import REASON


def _request(listing, project, user, **kwargs):
    return SubscriptionRequest.objects.create(
        listing=listing, project=project, requester=user, reason=REASON, **kwargs
    )


def test_one_pending_request_per_listing_and_project(listing, consumer_project, consumer):
    _request(listing, consumer_project, consumer)
    with pytest.raises(IntegrityError), transaction.atomic():
        _request(listing, consumer_project, consumer)
    # A decided request does not block a new one.
    _request(listing, consumer_project, consumer, status=SubscriptionRequestStatus.REJECTED)
    assert SubscriptionRequest.objects.count() == 2


def test_empty_reason_is_refused_by_the_database(listing, consumer_project, consumer):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriptionRequest.objects.create(
            listing=listing, project=consumer_project, requester=consumer, reason=""
        )
    assert not SubscriptionRequest.objects.exists()


def test_one_approved_subscription_per_listing_and_project(listing, consumer_project, consumer):
    first = _request(listing, consumer_project, consumer, status="ACCEPTED")
    second = _request(listing, consumer_project, consumer, status="ACCEPTED")
    Subscription.objects.create(
        listing=listing, project=consumer_project, request=first, listing_revision=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            listing=listing, project=consumer_project, request=second, listing_revision=1
        )
    assert Subscription.objects.count() == 1


def test_event_record_adds_a_line_to_both_timelines(listing, consumer_project, consumer, owner):
    request = _request(listing, consumer_project, consumer, status="ACCEPTED")
    subscription = Subscription.objects.create(
        listing=listing, project=consumer_project, request=request, listing_revision=1
    )
    event = subscription_event_record(
        subscription=subscription,
        kind=SubscriptionEventKind.GRANT,
        message="Lake Formation grant GRANTED",
        data={"status": "GRANTED"},
    )
    assert event.request_id == request.pk
    assert event.actor_name == "automatic"
    by_owner = subscription_event_record(
        subscription=subscription, kind=SubscriptionEventKind.REVOKED, acting_user=owner
    )
    assert by_owner.actor_name == owner.username
    assert list(SubscriptionEvent.objects.filter(request=request)) == [event, by_owner]
    with pytest.raises(ValueError):
        subscription_event_record(subscription=subscription, kind="NOPE")
