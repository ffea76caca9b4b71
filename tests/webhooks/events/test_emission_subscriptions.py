"""Subscription requests and subscriptions write their events with the change.

Each change writes exactly one event of its type, with the ids and names a person needs
and both sides' projects (so either side may read it); a change that rolls back leaves
none.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from meshportal.events import EventType
from meshportal.models import Event
from subscriptions import services
from subscriptions.models import Subscription
from tests.conftest import REASON

from .conftest import events_of, the_event

pytestmark = pytest.mark.django_db


def _ask(consumer, listing, consumer_project, **kwargs):
    request, created = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON, **kwargs
    )
    assert created
    return request


def _sides(event, listing, consumer_project):
    """The part every subscription event shares: who is on which side."""
    data = event.payload
    assert data["listing"] == {
        "id": str(listing.pk),
        "name": "Movie listings with category",
        "revision": listing.revision,
    }
    assert data["asset"] == {"id": str(listing.asset_id), "name": "Movie listings with category"}
    assert data["consumer_project"] == {
        "id": str(consumer_project.pk),
        "name": "marketing-team-analysis",
    }
    assert data["producer_project"] == {
        "id": str(listing.project_id),
        "name": "Film Catalog Project",
    }
    assert data["domain"] == {"id": str(listing.domain_id), "name": "streaming"}
    assert event.domain_id == listing.domain_id
    assert sorted(event.project_ids) == sorted([consumer_project.pk, listing.project_id])


def test_a_request_writes_subscription_request_created(listing, consumer_project, consumer):
    request = _ask(consumer, listing, consumer_project)

    event = the_event(EventType.SUBSCRIPTION_REQUEST_CREATED)
    _sides(event, listing, consumer_project)
    assert event.actor == consumer and event.actor_name == "marketing-owner"
    assert event.payload["subscription_request"] == {
        "id": str(request.pk),
        "status": "PENDING",
        "reason": REASON,
        "requester": "marketing-owner",
        "expires_at": None,
        "decision_comment": "",
        "decided_at": None,
    }
    assert Event.objects.count() == 1


def test_asking_again_writes_no_second_event(listing, consumer_project, consumer):
    _ask(consumer, listing, consumer_project)
    services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    assert len(events_of(EventType.SUBSCRIPTION_REQUEST_CREATED)) == 1


def test_accepting_writes_accepted_then_subscription_created(
    listing, consumer_project, consumer, owner
):
    request = _ask(consumer, listing, consumer_project)
    subscription = services.subscription_request_accept(
        acting_user=owner, request=request, decision_comment="Enjoy"
    )

    accepted = the_event(EventType.SUBSCRIPTION_REQUEST_ACCEPTED)
    created = the_event(EventType.SUBSCRIPTION_CREATED)
    for event in (accepted, created):
        _sides(event, listing, consumer_project)
        assert event.actor == owner
    assert accepted.payload["subscription_request"]["status"] == "ACCEPTED"
    assert accepted.payload["subscription_request"]["decision_comment"] == "Enjoy"
    assert accepted.payload["subscription_request"]["decided_at"]
    assert created.payload["subscription"] == {
        "id": str(subscription.pk),
        "status": "APPROVED",
        "listing_revision": listing.revision,
        "expires_at": None,
        "ended_at": None,
        "end_reason": "",
    }
    assert created.payload["subscription_request"] == {"id": str(request.pk)}
    # Recorded in this order, so numbered in this order: the request, then what it made.
    types = list(Event.objects.order_by("recorded").values_list("type", flat=True))
    assert types[-2:] == [EventType.SUBSCRIPTION_REQUEST_ACCEPTED, EventType.SUBSCRIPTION_CREATED]


def test_an_open_listing_accepts_at_once_by_nobody(listing, consumer_project, consumer):
    listing.approval_required = False
    listing.save()
    _ask(consumer, listing, consumer_project)

    assert the_event(EventType.SUBSCRIPTION_REQUEST_CREATED).actor == consumer
    accepted = the_event(EventType.SUBSCRIPTION_REQUEST_ACCEPTED)
    assert accepted.actor is None and accepted.as_message()["actor"] is None
    assert the_event(EventType.SUBSCRIPTION_CREATED).payload["subscription"]["status"] == "APPROVED"


def test_rejecting_writes_subscription_request_rejected(
    listing, consumer_project, consumer, steward
):
    request = _ask(consumer, listing, consumer_project)
    services.subscription_request_reject(
        acting_user=steward, request=request, decision_comment="Not for marketing"
    )
    event = the_event(EventType.SUBSCRIPTION_REQUEST_REJECTED)
    _sides(event, listing, consumer_project)
    assert event.actor == steward
    assert event.payload["subscription_request"]["status"] == "REJECTED"
    assert event.payload["subscription_request"]["decision_comment"] == "Not for marketing"


def test_cancelling_writes_subscription_request_cancelled(listing, consumer_project, consumer):
    request = _ask(consumer, listing, consumer_project)
    services.subscription_request_cancel(acting_user=consumer, request=request)
    event = the_event(EventType.SUBSCRIPTION_REQUEST_CANCELLED)
    _sides(event, listing, consumer_project)
    assert event.payload["subscription_request"]["status"] == "CANCELLED"


@pytest.fixture
def subscription(listing, consumer_project, consumer, owner):
    request = _ask(consumer, listing, consumer_project)
    return services.subscription_request_accept(acting_user=owner, request=request)


def test_revoking_writes_subscription_revoked(subscription, listing, consumer_project, owner):
    services.subscription_revoke(acting_user=owner, subscription=subscription, reason="Audit")
    event = the_event(EventType.SUBSCRIPTION_REVOKED)
    _sides(event, listing, consumer_project)
    assert event.actor == owner
    data = event.payload["subscription"]
    assert (data["id"], data["status"], data["end_reason"]) == (
        str(subscription.pk),
        "REVOKED",
        "Audit",
    )
    assert data["ended_at"]


def test_unsubscribing_writes_subscription_cancelled(
    subscription, listing, consumer_project, consumer
):
    services.subscription_cancel(acting_user=consumer, subscription=subscription)
    event = the_event(EventType.SUBSCRIPTION_CANCELLED)
    _sides(event, listing, consumer_project)
    assert event.actor == consumer
    assert event.payload["subscription"]["status"] == "CANCELLED"


def test_expiry_writes_subscription_expired(subscription, listing, consumer_project):
    Subscription.objects.filter(pk=subscription.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.subscription_expire(subscription_id=subscription.pk)
    assert not services.subscription_expire(subscription_id=subscription.pk)  # once

    event = the_event(EventType.SUBSCRIPTION_EXPIRED)
    _sides(event, listing, consumer_project)
    assert event.actor is None
    assert event.payload["subscription"]["status"] == "REVOKED"
    assert event.payload["subscription"]["end_reason"] == "expired"
    assert event.payload["subscription"]["expires_at"]


# --- No event without its change ------------------------------------------------------------


class Abort(Exception):
    """Raised after a service returned: the transaction around it rolls back."""


CHANGES = {
    EventType.SUBSCRIPTION_REQUEST_CREATED: lambda w: _ask(w.consumer, w.listing, w.project),
    EventType.SUBSCRIPTION_REQUEST_ACCEPTED: lambda w: services.subscription_request_accept(
        acting_user=w.owner, request=w.pending()
    ),
    EventType.SUBSCRIPTION_CREATED: lambda w: services.subscription_request_accept(
        acting_user=w.owner, request=w.pending()
    ),
    EventType.SUBSCRIPTION_REQUEST_REJECTED: lambda w: services.subscription_request_reject(
        acting_user=w.owner, request=w.pending(), decision_comment="no"
    ),
    EventType.SUBSCRIPTION_REQUEST_CANCELLED: lambda w: services.subscription_request_cancel(
        acting_user=w.consumer, request=w.pending()
    ),
    EventType.SUBSCRIPTION_REVOKED: lambda w: services.subscription_revoke(
        acting_user=w.owner, subscription=w.approved()
    ),
    EventType.SUBSCRIPTION_CANCELLED: lambda w: services.subscription_cancel(
        acting_user=w.consumer, subscription=w.approved()
    ),
    EventType.SUBSCRIPTION_EXPIRED: lambda w: services.subscription_expire(
        subscription_id=w.approved(expired=True).pk
    ),
}


class World:
    """What a change needs, made before the transaction that is rolled back."""

    def __init__(self, listing, project, consumer, owner):
        self.listing, self.project, self.consumer, self.owner = listing, project, consumer, owner
        self._pending = self._approved = None

    def prepare(self, event_type):
        if event_type in (
            EventType.SUBSCRIPTION_REQUEST_ACCEPTED,
            EventType.SUBSCRIPTION_CREATED,
            EventType.SUBSCRIPTION_REQUEST_REJECTED,
            EventType.SUBSCRIPTION_REQUEST_CANCELLED,
        ):
            self._pending = _ask(self.consumer, self.listing, self.project)
        elif event_type != EventType.SUBSCRIPTION_REQUEST_CREATED:
            request = _ask(self.consumer, self.listing, self.project)
            self._approved = services.subscription_request_accept(
                acting_user=self.owner, request=request
            )
            if event_type == EventType.SUBSCRIPTION_EXPIRED:
                Subscription.objects.filter(pk=self._approved.pk).update(
                    expires_at=timezone.now() - datetime.timedelta(minutes=1)
                )

    def pending(self):
        return self._pending

    def approved(self, expired=False):
        return self._approved


@pytest.mark.parametrize("event_type", list(CHANGES))
def test_a_rolled_back_change_writes_no_event(
    event_type, listing, consumer_project, consumer, owner
):
    world = World(listing, consumer_project, consumer, owner)
    world.prepare(event_type)
    before = Event.objects.count()
    with pytest.raises(Abort), transaction.atomic():
        CHANGES[event_type](world)
        assert len(events_of(event_type)) == 1  # written inside the change's transaction
        raise Abort
    assert Event.objects.count() == before
    assert events_of(event_type) == []
