"""Enabling an endpoint again: one the portal disabled resumes where it stopped (at least
once), one its owner disabled skips its disabled period; the page says how many wait."""

import re

import pytest

from webhooks import delivery as webhook_delivery
from webhooks.endpoint_selectors import events_waiting
from webhooks.endpoint_services import endpoint_update
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .test_delivery import drain_until, record_events, register

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_page(client, endpoint) -> str:
    html = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    match = re.search(r'data-testid="events-waiting">(.*?)</p>', html, re.S)
    assert match, "the page shows no waiting count"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_an_endpoint_disabled_by_the_portal_resumes_where_it_stopped(
    settings, client, make_receiver, project, owner
):
    settings.WEBHOOKS_RETRY_DELAY_SCALE = 0.00002  # a day of retries in about two seconds
    receiver = make_receiver(fail_first=10_000)
    endpoint = register(receiver, owner, project)
    failed = record_events(project, 1)
    drain_until(endpoint.pk, lambda: not WebhookEndpoint.objects.get(pk=endpoint.pk).enabled)

    missed = record_events(project, 2)  # while it is disabled: not fanned out
    endpoint.refresh_from_db()
    assert events_waiting(endpoint) == 3  # the delivery it stopped at, and two events
    client.force_login(owner)
    text = waiting_on_page(client, endpoint)
    assert text.startswith("3 events waiting.")
    assert "resumes where it stopped" in text

    receiver.fail_first = 0  # the receiver is fixed
    endpoint_update(acting_user=owner, endpoint=endpoint, enabled=True)

    assert receiver.delivered == failed + missed  # in order, the failed one first
    head = WebhookDelivery.objects.get(endpoint=endpoint, event_id=failed[0])
    assert (head.status, head.round_attempts) == ("DELIVERED", 1)
    endpoint.refresh_from_db()
    assert events_waiting(endpoint) == 0
    assert waiting_on_page(client, endpoint).startswith("0 events waiting.")


def test_an_endpoint_its_owner_disabled_skips_its_disabled_period(
    client, make_receiver, project, owner
):
    receiver = make_receiver()
    endpoint = register(receiver, owner, project)
    endpoint = endpoint_update(acting_user=owner, endpoint=endpoint, enabled=False)

    record_events(project, 2)  # while it is disabled: skipped
    assert events_waiting(endpoint) == 0
    client.force_login(owner)
    text = waiting_on_page(client, endpoint)
    assert text.startswith("0 events waiting.")
    assert "skips the events that happen while it is disabled" in text

    endpoint = endpoint_update(acting_user=owner, endpoint=endpoint, enabled=True)
    after = record_events(project, 1)
    webhook_delivery.drain(endpoint.pk)
    assert receiver.delivered == after
