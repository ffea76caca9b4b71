"""Django admin for webhooks: every page opens, nothing is editable, no secret shows."""

import pytest

from meshportal.events import EventType
from webhooks.endpoint_services import endpoint_create
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .test_delivery import record_events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456!")
    client.force_login(admin)
    return client


def test_admin_lists_and_shows_without_secrets(
    admin_client_logged_in, make_receiver, project, owner
):
    receiver = make_receiver()
    endpoint, secret = endpoint_create(
        acting_user=owner,
        url=receiver.url,
        event_types=[EventType.LISTING_PUBLISHED],
        project=project,
    )
    record_events(project, 1)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    encrypted = WebhookEndpoint.objects.get(pk=endpoint.pk).secret_encrypted

    pages = [
        "/admin/webhooks/webhookendpoint/",
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/",
        "/admin/webhooks/webhookdelivery/",
        f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/",
        "/admin/webhooks/webhookattempt/",
        "/admin/webhooks/eventbridgetarget/",
        "/admin/webhooks/eventbridgedelivery/",
    ]
    for page in pages:
        response = admin_client_logged_in.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert secret not in body and secret.removeprefix("whsec_") not in body, page
        assert encrypted not in body, page
    shown = admin_client_logged_in.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert receiver.url in shown.content.decode()
    # The delivery's page carries its attempts (code and body excerpt).
    attempt_page = admin_client_logged_in.get(
        f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/"
    ).content.decode()
    assert "200" in attempt_page and "ok" in attempt_page

    # Read-only: no add page, and a POST changes nothing.
    assert admin_client_logged_in.get("/admin/webhooks/webhookendpoint/add/").status_code == 403
    admin_client_logged_in.post(
        f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/", {"url": "http://x.example/"}
    )
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == receiver.url
    # Nor deletes: an open delivery deleted here would be an event never sent.
    delete = f"/admin/webhooks/webhookdelivery/{delivery.pk}/delete/"
    assert admin_client_logged_in.post(delete, {"post": "yes"}).status_code == 403
    assert (
        admin_client_logged_in.post(
            f"/admin/webhooks/webhookendpoint/{endpoint.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert WebhookDelivery.objects.filter(pk=delivery.pk).exists()
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
