"""subscription_grant.* events: written in the transaction of each grant status change,
with the payload of issue 12, for both projects and the producer's domain."""

import pytest
from django.db import transaction

from meshportal.events import EventType
from meshportal.models import Event
from sharing import events as grant_events
from sharing import services
from sharing.choices import GrantBackend, GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions.services import subscription_revoke

pytestmark = pytest.mark.django_db(transaction=True)

G = EventType


def grant_events_of(grant) -> list[Event]:
    return [
        e
        for e in Event.objects.filter(type__startswith="subscription_grant.").order_by("recorded")
        if e.payload["grant"]["id"] == str(grant.pk)
    ]


def types(grant) -> list[str]:
    return [e.type for e in grant_events_of(grant)]


def assert_payload(event, grant, *, status, backend):
    grant = SubscriptionGrant.objects.select_related(
        "subscription__listing__project", "subscription__project", "environment"
    ).get(pk=grant.pk)
    listing = grant.subscription.listing
    consumer, producer = grant.subscription.project, listing.project
    assert event.payload == {
        "grant": {
            "id": str(grant.pk),
            "backend": backend,
            "status": status,
            "failure_cause": event.payload["grant"]["failure_cause"],
        },
        "subscription": {"id": str(grant.subscription_id)},
        "asset": {"id": str(listing.asset_id), "name": listing.name},
        "environment": {"id": str(grant.environment_id), "name": grant.environment.name},
        "consumer_project": {"id": str(consumer.pk), "name": consumer.name},
        "producer_project": {"id": str(producer.pk), "name": producer.name},
    }
    assert event.domain_id == producer.domain_id
    assert sorted(event.project_ids, key=str) == sorted([consumer.pk, producer.pk], key=str)


def test_requested_then_completed(
    lake, listing, consumer_project, consumer_environment, approve, owner
):
    subscription = approve(listing, consumer_project)
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.GRANTED

    requested, completed = grant_events_of(grant)
    assert requested.type == G.SUBSCRIPTION_GRANT_REQUESTED
    assert_payload(requested, grant, status="PENDING", backend="LAKE_FORMATION")
    assert completed.type == G.SUBSCRIPTION_GRANT_COMPLETED
    assert_payload(completed, grant, status="GRANTED", backend="LAKE_FORMATION")
    assert requested.position < completed.position  # numbered after commit, in order


def test_revoke_requested_then_revoke_completed(
    lake, listing, consumer_project, consumer_environment, approve, owner
):
    subscription = approve(listing, consumer_project)
    subscription_revoke(acting_user=owner, subscription=subscription, reason="Project over")
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.REVOKED

    events = grant_events_of(grant)
    assert [e.type for e in events][-2:] == [
        G.SUBSCRIPTION_GRANT_REVOKE_REQUESTED,
        G.SUBSCRIPTION_GRANT_REVOKE_COMPLETED,
    ]
    assert_payload(events[-2], grant, status="REVOKE_PENDING", backend="LAKE_FORMATION")
    assert_payload(events[-1], grant, status="REVOKED", backend="LAKE_FORMATION")
    assert events[-2].actor_id == owner.pk  # the person who revoked


def test_unmanaged_table_requests_a_manual_grant_then_failed(
    aws, listing, consumer_project, consumer_environment, approve, owner
):
    subscription = approve(listing, consumer_project)  # no registered location: MANUAL
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert (grant.backend, grant.status) == (GrantBackend.MANUAL, GrantStatus.PENDING)
    events = grant_events_of(grant)
    # Created (the Lake Formation attempt), then handed to the producing team.
    assert [e.type for e in events] == [G.SUBSCRIPTION_GRANT_REQUESTED] * 2
    assert_payload(events[1], grant, status="PENDING", backend="MANUAL")

    services.grant_status_set(
        acting_user=owner, grant=grant, status=GrantStatus.GRANT_FAILED, message="No bucket."
    )
    failed = grant_events_of(grant)[-1]
    assert failed.type == G.SUBSCRIPTION_GRANT_FAILED
    assert failed.payload["grant"]["failure_cause"] == "No bucket."
    assert failed.actor_id == owner.pk


def test_manual_revoke_failed(aws, listing, consumer_project, consumer_environment, approve, owner):
    subscription = approve(listing, consumer_project)
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    services.grant_status_set(acting_user=owner, grant=grant, status=GrantStatus.GRANTED)
    subscription_revoke(acting_user=owner, subscription=subscription, reason="Over")
    grant.refresh_from_db()
    services.grant_status_set(
        acting_user=owner, grant=grant, status=GrantStatus.REVOKE_FAILED, message="Locked."
    )
    assert types(grant)[-3:] == [
        G.SUBSCRIPTION_GRANT_COMPLETED,
        G.SUBSCRIPTION_GRANT_REVOKE_REQUESTED,
        G.SUBSCRIPTION_GRANT_REVOKE_FAILED,
    ]
    assert_payload(grant_events_of(grant)[-1], grant, status="REVOKE_FAILED", backend="MANUAL")


def test_a_rolled_back_change_leaves_no_event(
    aws, listing, consumer_project, consumer_environment, approve, owner
):
    subscription = approve(listing, consumer_project)
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    before = types(grant)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.grant_status_set(acting_user=owner, grant=grant, status=GrantStatus.GRANTED)
        raise RuntimeError("the request failed after the change")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING
    assert types(grant) == before


def test_a_line_without_a_status_change_is_not_an_event(
    aws, listing, consumer_project, consumer_environment, approve
):
    subscription = approve(listing, consumer_project)
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    before = types(grant)
    with transaction.atomic():
        grant_events.record(grant, message="Reconciliation re-granted.", status_changed=False)
    assert types(grant) == before
