"""Delivery to a real receiver on loopback: Standard Webhooks signatures, order, retries,
a worker killed mid-delivery, disabling after the last retry, secret rotation."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from meshportal.events import EventType, event_record
from meshportal.models import Event
from projects.models import Notification
from webhooks import delivery as webhook_delivery
from webhooks.choices import DeliveryStatus
from webhooks.endpoint_services import endpoint_create, endpoint_rotate_secret
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.retry import MAX_ATTEMPTS

from .conftest import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def record_events(project, n, event_type=EventType.LISTING_PUBLISHED) -> list[str]:
    """``n`` events of the project, committed in one transaction; their ids in order."""
    with transaction.atomic():
        events = [
            event_record(
                event_type,
                payload={"listing": {"id": f"l-{i}", "name": f"Listing {i}"}},
                domain_id=project.domain_id,
                project_ids=[project.pk],
            )
            for i in range(n)
        ]
    return [str(e.pk) for e in events]


def register(receiver, owner, project, types=(EventType.LISTING_PUBLISHED,)):
    endpoint, secret = endpoint_create(
        acting_user=owner, url=receiver.url, event_types=list(types), project=project
    )
    receiver.secrets = [secret]
    return endpoint


def positions_order(ids):
    return [
        str(pk)
        for pk in Event.objects.filter(pk__in=ids).order_by("position").values_list("pk", flat=True)
    ]


@pytest.mark.worker
def test_signed_retried_and_in_order_through_a_real_worker(workers, make_receiver, project, owner):
    workers(WEBHOOKS_RETRY_DELAY_SCALE="0.005")
    receiver = make_receiver(fail_first=3)
    endpoint = register(receiver, owner, project)

    ids = record_events(project, 5)
    wait_until(lambda: len(receiver.delivered) == 5, 60, "five deliveries")

    assert receiver.delivered == positions_order(ids) == ids
    assert all(r["verified"] for r in receiver.requests)
    # The head failed three times and held the others back until its retry succeeded.
    assert [r["id"] for r in receiver.requests[:4]] == [ids[0]] * 4
    assert [r["status"] for r in receiver.requests] == [503, 503, 503] + [200] * 5
    head = WebhookDelivery.objects.get(endpoint=endpoint, event_id=ids[0])
    wait_until(
        lambda: (
            not WebhookDelivery.objects.filter(
                endpoint=endpoint, status__in=["PENDING", "SENDING", "RETRYING"]
            ).exists()
        ),
        30,
        "the last result recorded",
    )
    head.refresh_from_db()
    assert (head.status, head.attempts, head.last_response_code) == ("DELIVERED", 4, 200)
    attempts = list(WebhookAttempt.objects.filter(delivery=head).order_by("number"))
    assert [(a.number, a.response_code, a.response_body) for a in attempts] == [
        (1, 503, "try again later"),
        (2, 503, "try again later"),
        (3, 503, "try again later"),
        (4, 200, "ok"),
    ]
    # Every message is the outbox's one shape, signed for its event id.
    message = receiver.messages[0]
    assert message["id"] == ids[0]
    assert message["type"] == "listing.published"
    assert message["projects"] == [str(project.pk)]
    assert message["data"] == {"listing": {"id": "l-0", "name": "Listing 0"}}


@pytest.mark.worker
def test_a_worker_killed_mid_delivery_delivers_again(workers, make_receiver, project, owner):
    import threading

    from webhooks.tasks import webhooks_sweep

    first = workers(WEBHOOKS_SENDING_LEASE_SECONDS="1")
    gate = threading.Event()
    receiver = make_receiver(gate=gate)
    endpoint = register(receiver, owner, project)

    ids = record_events(project, 3)
    assert receiver.entered.wait(60), "the worker never called the receiver"
    head = WebhookDelivery.objects.get(endpoint=endpoint, event_id=ids[0])
    assert head.status == DeliveryStatus.SENDING

    workers.kill(first)  # kill -9 while the receiver still holds the request
    gate.set()
    workers(WEBHOOKS_SENDING_LEASE_SECONDS="1")
    time.sleep(1.5)  # past the lease of the dead worker's SENDING
    webhooks_sweep.delay()

    wait_until(
        lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status="DELIVERED").count() == 3,
        60,
        "all three delivered",
    )
    assert receiver.delivered == ids  # none lost, in order
    assert receiver.seen[ids[0]] == 2  # the interrupted one was delivered again
    head.refresh_from_db()
    assert head.attempts == 2


def drain_until(endpoint_id, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        webhook_delivery.drain(endpoint_id)
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("the drain did not get there")


def test_disabled_after_the_last_retry_and_owners_told(settings, make_receiver, project, owner):
    settings.WEBHOOKS_RETRY_DELAY_SCALE = 0.00002  # a day of retries in about two seconds
    receiver = make_receiver(fail_first=10_000)
    endpoint = register(receiver, owner, project)

    [event_id] = record_events(project, 1)  # eager: fanned out and tried at commit
    drain_until(endpoint.pk, lambda: not WebhookEndpoint.objects.get(pk=endpoint.pk).enabled)

    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None
    assert "failed 12 times" in endpoint.disabled_reason
    assert "HTTP 503" in endpoint.disabled_reason
    failed = WebhookDelivery.objects.get(endpoint=endpoint, event_id=event_id)
    assert (failed.status, failed.attempts) == ("FAILED", MAX_ATTEMPTS)
    assert WebhookAttempt.objects.filter(delivery=failed, response_code=503).count() == 12
    assert len(receiver.requests) == MAX_ATTEMPTS
    note = Notification.objects.get(recipient=owner, topic="WEBHOOK_DISABLED")
    assert note.link == f"/webhooks/{endpoint.pk}/"
    assert project.name in note.title
    # A disabled endpoint gets nothing more, and its drain does nothing.
    record_events(project, 1)
    webhook_delivery.drain(endpoint.pk)
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_rotation_signs_with_both_secrets_during_the_overlap(make_receiver, project, owner):
    receiver = make_receiver()
    endpoint = register(receiver, owner, project)
    old = receiver.secrets[0]
    endpoint, new = endpoint_rotate_secret(acting_user=owner, endpoint=endpoint)
    assert new != old and new.startswith("whsec_")

    receiver.secrets = [old]  # a receiver not yet switched
    record_events(project, 1)
    receiver.secrets = [new]  # one that switched
    record_events(project, 1)
    assert [r["verified"] for r in receiver.requests] == [True, True]
    assert len(receiver.requests[0]["signature"].split(" ")) == 2

    # After the overlap only the new secret signs.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )
    receiver.secrets = [old]
    record_events(project, 1)
    assert receiver.requests[-1]["verified"] is False
    assert len(receiver.requests[-1]["signature"].split(" ")) == 1


def test_domain_endpoints_get_the_domain_events_project_endpoints_their_own(
    make_receiver, project, consumer_project, owner, domain
):
    from projects.choices import DomainRole
    from tests.projects.factories import DomainMembershipFactory

    DomainMembershipFactory(domain=domain, user=owner, role=DomainRole.OWNER)
    for_domain = make_receiver()
    endpoint, secret = endpoint_create(
        acting_user=owner,
        url=for_domain.url,
        event_types=[EventType.LISTING_PUBLISHED],
        domain=domain,
    )
    for_domain.secrets = [secret]
    for_project = make_receiver()
    register(for_project, owner, project)

    mine = record_events(project, 1)
    theirs = record_events(consumer_project, 1)
    record_events(project, 1, event_type=EventType.LISTING_UNPUBLISHED)  # not subscribed

    assert for_domain.delivered == mine + theirs
    assert for_project.delivered == mine
