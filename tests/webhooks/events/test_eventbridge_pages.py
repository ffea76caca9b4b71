"""The EventBridge targets page: domain OWNERs and platform admins add, look at, disable
and delete their domain's targets; nobody else sees one."""

import pytest

from tests.permissions import SIGNED_IN_PAGE, check, page_table, personas
from webhooks.models import EventBridgeDelivery, EventBridgeTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(domain, aws_account):
    return EventBridgeTarget.objects.create(
        domain=domain, aws_account=aws_account, event_bus="film-events"
    )


@personas(SIGNED_IN_PAGE)
def test_the_list_page_is_for_everyone_signed_in(persona, expected, target, client_for):
    response = client_for(persona).get("/event-bridge-targets/")
    check(response, expected)
    if expected == 200:
        assert (b"film-events" in response.content) == persona.is_staff


# A target is the platform's (and its domain owners'): nobody else learns it exists.
ADMIN_PAGE = page_table(404, platform_admin=200)


@personas(ADMIN_PAGE)
def test_a_targets_page_is_for_admins_and_domain_owners(persona, expected, target, client_for):
    check(client_for(persona).get(f"/event-bridge-targets/{target.pk}/"), expected)


def test_a_domain_owner_adds_disables_and_deletes_a_target(
    domain, aws_account, domain_owner, client_for
):
    client = client_for(domain_owner)
    page = client.get("/event-bridge-targets/")
    assert b"Add a target" in page.content and aws_account.account_id.encode() in page.content

    response = client.post(
        "/event-bridge-targets/add/",
        {"aws_account": aws_account.pk, "event_bus": "film-events", "event_types": []},
    )
    target = EventBridgeTarget.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{target.pk}/")
    assert target.domain == domain and target.created_by == domain_owner and target.enabled

    detail = client.get(f"/event-bridge-targets/{target.pk}/")
    assert b"Nothing sent yet" in detail.content and b"Disable" in detail.content
    client.post(f"/event-bridge-targets/{target.pk}/enabled/", {"enabled": "false"})
    target.refresh_from_db()
    assert not target.enabled

    bad = client.post(
        "/event-bridge-targets/add/", {"aws_account": aws_account.pk, "event_bus": "no spaces"}
    )
    assert bad.status_code == 302
    assert EventBridgeTarget.objects.count() == 1

    client.post(f"/event-bridge-targets/{target.pk}/delete/")
    assert not EventBridgeTarget.objects.exists()
    assert not EventBridgeDelivery.objects.exists()
