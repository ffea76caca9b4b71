"""The webhooks pages: who may open them, the secret shown once, the delivery log with
"send a test event" and "redeliver" (htmx partials), and the project page's link."""

import pytest

from tests.permissions import LOGIN, OWNER_ONLY_PAGE, OWNER_PAGE, check, personas
from webhooks.endpoint_services import endpoint_create
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(owner, project, make_receiver):
    receiver = make_receiver()
    endpoint, secret = endpoint_create(
        acting_user=owner, url=receiver.url, event_types=["listing.published"], project=project
    )
    receiver.secrets = [secret]
    return endpoint


@personas(OWNER_PAGE)
def test_who_opens_the_project_webhooks_page(client_for, persona, expected, project):
    check(client_for(persona).get(f"/projects/{project.pk}/webhooks/"), expected)


@personas(OWNER_ONLY_PAGE)
def test_who_opens_the_delivery_log(client_for, persona, expected, endpoint):
    check(client_for(persona).get(f"/webhooks/{endpoint.pk}/"), expected)
    if expected != LOGIN:
        check(client_for(persona).post(f"/webhooks/{endpoint.pk}/test/"), expected)


def test_register_shows_the_secret_once(client_for, owner, project, make_receiver):
    client = client_for(owner)
    receiver = make_receiver()
    page = client.get(f"/projects/{project.pk}/")
    assert f'href="/projects/{project.pk}/webhooks/"'.encode() in page.content

    answer = client.post(
        f"/projects/{project.pk}/webhooks/",
        {"url": receiver.url, "event_types": ["listing.published"], "enabled": "on"},
    )
    assert answer.status_code == 200
    endpoint = WebhookEndpoint.objects.get(project=project)
    secret = answer.context["secret"]
    assert secret.startswith("whsec_") and secret.encode() in answer.content
    assert secret.encode() not in client.get(f"/projects/{project.pk}/webhooks/").content
    assert secret.encode() not in client.get(f"/webhooks/{endpoint.pk}/").content

    rotated = client.post(f"/webhooks/{endpoint.pk}/rotate-secret/")
    new = rotated.context["secret"]
    assert new != secret and new.encode() in rotated.content
    assert b"whsec_" not in client.get(f"/webhooks/{endpoint.pk}/").content


def test_bad_url_is_a_form_error(settings, client_for, owner, project):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    answer = client_for(owner).post(
        f"/projects/{project.pk}/webhooks/",
        {"url": "https://127.0.0.1/hooks", "event_types": ["listing.published"]},
    )
    assert answer.status_code == 200
    assert b"loopback" in answer.content
    assert not WebhookEndpoint.objects.exists()


def test_test_event_and_redeliver_answer_the_log_partial(client_for, owner, project, make_receiver):
    client = client_for(owner)
    receiver = make_receiver()
    endpoint, secret = endpoint_create(
        acting_user=owner, url=receiver.url, event_types=["listing.published"], project=project
    )
    receiver.secrets = [secret]
    htmx = {"HTTP_HX_REQUEST": "true"}

    answer = client.post(f"/webhooks/{endpoint.pk}/test/", **htmx)

    assert answer.status_code == 200
    assert b"<html" not in answer.content  # the partial
    assert b"Test event sent." in answer.content
    assert b"DELIVERED" in answer.content and b"webhook.test" in answer.content
    delivery = endpoint.deliveries.get()
    again = client.post(f"/webhook-deliveries/{delivery.pk}/redeliver/", **htmx)
    assert b"Delivery queued again." in again.content
    assert len(receiver.requests) == 2
    # Without htmx the same buttons answer the whole page.
    assert b"<html" in client.post(f"/webhooks/{endpoint.pk}/test/").content


def test_enable_disable_and_delete(client_for, owner, project, endpoint):
    client = client_for(owner)
    client.post(f"/webhooks/{endpoint.pk}/enabled/", {"enabled": "false"})
    endpoint.refresh_from_db()
    assert endpoint.enabled is False
    client.post(f"/webhooks/{endpoint.pk}/enabled/", {"enabled": "true"})
    endpoint.refresh_from_db()
    assert endpoint.enabled is True
    answer = client.post(f"/webhooks/{endpoint.pk}/delete/")
    assert answer.status_code == 302
    assert not WebhookEndpoint.objects.exists()
