"""The webhooks API: the contract of issue 12, the secret shown once, limits, SSRF
refusals, test events and redelivery (to a real receiver on loopback)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meshportal.events import EventType
from webhooks.endpoint_services import ENDPOINTS_PER_OWNER_MAX
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .test_delivery import record_events

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1"
TYPES = [EventType.SUBSCRIPTION_GRANT_REQUESTED, EventType.LISTING_PUBLISHED]


def create(client, project, url, **extra):
    body = {"url": url, "project": str(project.pk), "event_types": TYPES} | extra
    return client.post(f"{API}/webhooks/", body, format="json")


def test_create_shows_the_secret_once_and_never_again(
    api_client_for, owner, project, make_receiver, client_for
):
    client = api_client_for(owner)
    receiver = make_receiver()
    answer = create(client, project, receiver.url)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert body["project"] == str(project.pk) and body["domain"] is None
    assert body["event_types"] == sorted(TYPES) and body["enabled"] is True
    endpoint_id = body["id"]
    receiver.secrets = [secret]

    later = [
        client.get(f"{API}/webhooks/"),
        client.get(f"{API}/webhooks/{endpoint_id}/"),
        client.patch(f"{API}/webhooks/{endpoint_id}/", {"enabled": True}, format="json"),
        client.post(f"{API}/webhooks/{endpoint_id}/test/"),
        client.get(f"{API}/webhooks/{endpoint_id}/deliveries/"),
        client_for(owner).get(f"/webhooks/{endpoint_id}/"),
        client_for(owner).get(f"/projects/{project.pk}/webhooks/"),
    ]
    for response in later:
        assert response.status_code in (200, 202), response.content[:300]
        assert secret.encode() not in response.content
        assert b"whsec_" not in response.content
    # The stored form is not the secret either.
    stored = WebhookEndpoint.objects.get(pk=endpoint_id)
    assert secret not in stored.secret_encrypted

    rotated = client.post(f"{API}/webhooks/{endpoint_id}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != secret
    assert rotated.json()["previous_secret_expires_at"]
    assert b"whsec_" not in client.get(f"{API}/webhooks/{endpoint_id}/").content


def test_test_event_goes_to_that_endpoint_only(api_client_for, owner, project, make_receiver):
    client = api_client_for(owner)
    one, other = make_receiver(), make_receiver()
    first = create(client, project, one.url).json()
    second = create(client, project, other.url).json()
    one.secrets, other.secrets = [first["secret"]], [second["secret"]]

    answer = client.post(f"{API}/webhooks/{first['id']}/test/")

    assert answer.status_code == 202
    assert answer.json()["event_type"] == "webhook.test"
    assert [m["type"] for m in one.messages] == ["webhook.test"]
    assert one.messages[0]["data"]["endpoint"] == {"id": first["id"]}
    assert one.messages[0]["projects"] == []  # no feed or other endpoint shows it
    assert other.requests == []
    log = client.get(f"{API}/webhooks/{first['id']}/deliveries/").json()
    assert log["count"] == 1
    row = log["results"][0]
    assert (row["status"], row["attempts"], row["last_response_code"]) == ("DELIVERED", 1, 200)
    assert row["last_response_body"] == "ok"


def test_redeliver_sends_again(api_client_for, owner, project, make_receiver):
    client = api_client_for(owner)
    receiver = make_receiver()
    endpoint = create(client, project, receiver.url).json()
    receiver.secrets = [endpoint["secret"]]
    [event_id] = record_events(project, 1)
    delivery = WebhookDelivery.objects.get(event_id=event_id)
    assert delivery.status == "DELIVERED"

    answer = client.post(f"{API}/webhook-deliveries/{delivery.pk}/redeliver/")

    assert answer.status_code == 202
    assert receiver.seen[event_id] == 2
    detail = client.get(f"{API}/webhook-deliveries/{delivery.pk}/").json()
    assert detail["attempts"] == 2
    assert [a["response_code"] for a in detail["attempt_log"]] == [200, 200]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_types": ["nothing.happened"]}, "event_types"),
        ({"event_types": []}, "event_types"),
        ({"event_types": ["webhook.test"]}, "event_types"),
        ({"event_types": ["listing.published"] * 40}, "event_types"),
        ({"url": "https://example.com/" + "a" * 2100}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "ftp://example.com/hooks"}, "url"),
        ({"url": "https://user:pw@example.com/hooks"}, "url"),
        ({"domain": "00000000-0000-0000-0000-000000000000"}, "project"),
    ],
)
def test_bad_input_is_a_400(api_client_for, owner, project, body, field):
    body = {"url": "https://93.184.215.14/hooks", "project": str(project.pk)} | body
    answer = api_client_for(owner).post(
        f"{API}/webhooks/", {"event_types": TYPES} | body, format="json"
    )
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not WebhookEndpoint.objects.exists()


def test_endpoints_per_project_are_limited(api_client_for, owner, project, make_receiver):
    client = api_client_for(owner)
    url = make_receiver().url
    for _ in range(ENDPOINTS_PER_OWNER_MAX):
        assert create(client, project, url).status_code == 201
    answer = create(client, project, url)
    assert answer.status_code == 400
    assert "At most" in answer.json()["url"][0]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://224.0.0.1/hooks",
        "https://0.0.0.0/hooks",
    ],
)
def test_private_addresses_are_refused_at_registration(
    settings, api_client_for, owner, project, url
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    answer = create(api_client_for(owner), project, url)
    assert answer.status_code == 400, answer.content
    assert "refused" in answer.json()["url"][0]


def test_http_is_refused_unless_allowed(settings, api_client_for, owner, project):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    answer = create(api_client_for(owner), project, "http://93.184.215.14/hooks")
    assert answer.status_code == 400
    assert answer.json()["url"] == ["The URL must start with https://."]


def test_delivery_time_checks_refuse_what_registration_allowed(
    settings, api_client_for, owner, project, make_receiver, monkeypatch
):
    """An endpoint that reached loopback while allowed (or a name that now resolves there)
    is refused when the delivery is made: before connecting, and at connect time."""
    client = api_client_for(owner)
    receiver = make_receiver()
    endpoint = create(client, project, receiver.url).json()
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    [first] = record_events(project, 1)
    delivery = WebhookDelivery.objects.get(event_id=first)
    assert delivery.status == "RETRYING"
    assert "loopback" in delivery.last_error
    assert receiver.requests == []

    # DNS rebinding: the name resolved to a public address when checked, the connection
    # reaches loopback. The connection's own check refuses it.
    from webhooks import delivery as webhook_delivery

    monkeypatch.setattr(webhook_delivery, "_target_refusal", lambda url: "")
    client.post(f"{API}/webhook-deliveries/{delivery.pk}/redeliver/")
    delivery.refresh_from_db()
    assert "Connection refused by the portal" in delivery.last_error
    assert receiver.requests == []
    assert endpoint["id"] == str(delivery.endpoint_id)


def test_redirects_are_not_followed(api_client_for, owner, project, make_receiver):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    target = make_receiver()

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(307)
            self.send_header("location", target.url)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        create(api_client_for(owner), project, url)
        [event_id] = record_events(project, 1)
    finally:
        server.shutdown()
        server.server_close()
    delivery = WebhookDelivery.objects.get(event_id=event_id)
    assert (delivery.status, delivery.last_response_code) == ("RETRYING", 307)
    assert "Redirects are not followed" in delivery.last_error
    assert target.requests == []


def queries(client, url) -> tuple[int, dict]:
    """The SQL queries of one GET (the connection's log is capped: start it empty)."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).json()
    return len(captured), body


def test_deliveries_list_has_a_constant_query_count(api_client_for, owner, project, make_receiver):
    client = api_client_for(owner)
    receiver = make_receiver()
    endpoint = create(client, project, receiver.url).json()
    receiver.secrets = [endpoint["secret"]]
    url = f"{API}/webhooks/{endpoint['id']}/deliveries/"

    record_events(project, 2)
    few, body = queries(client, url)
    assert body["count"] == 2
    record_events(project, 8)
    many, body = queries(client, url)
    assert body["count"] == 10
    assert many == few

    one, body = queries(client, f"{API}/webhooks/")
    assert body["count"] == 1
    create(client, project, receiver.url)
    two, body = queries(client, f"{API}/webhooks/")
    assert body["count"] == 2
    assert one == two


def test_patch_and_delete(api_client_for, owner, project, make_receiver):
    client = api_client_for(owner)
    endpoint = create(client, project, make_receiver().url).json()
    answer = client.patch(
        f"{API}/webhooks/{endpoint['id']}/",
        {"event_types": ["subscription.created"], "enabled": False},
        format="json",
    )
    assert answer.status_code == 200
    assert (answer.json()["event_types"], answer.json()["enabled"]) == (
        ["subscription.created"],
        False,
    )
    assert client.put(f"{API}/webhooks/{endpoint['id']}/", {}, format="json").status_code == 405
    assert client.delete(f"{API}/webhooks/{endpoint['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()
