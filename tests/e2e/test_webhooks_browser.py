"""Webhooks in Chromium: a project owner registers an endpoint (a real receiver on
loopback), copies the secret shown once, sends a test event and sees it delivered in the
endpoint's log, on a laptop and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["laptop", "phone"])
def test_register_an_endpoint_and_send_a_test_event(
    live_server, page, login, owner, project, receiver, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    page.get_by_test_id("webhooks-link").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()

    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("subscription_grant.requested").check()
    page.get_by_label("subscription_grant.completed").check()
    page.get_by_role("button", name="Register endpoint").click()

    secret_box = page.get_by_test_id("secret-value")
    expect(secret_box).to_be_visible()
    secret = secret_box.inner_text().strip()
    assert secret.startswith("whsec_")
    receiver.secrets = [secret]

    # Shown once: the list page, loaded again, does not have it.
    page.goto(f"{live_server.url}/projects/{project.pk}/webhooks/")
    expect(page.get_by_test_id("secret-value")).to_have_count(0)
    assert secret not in page.content()

    page.get_by_test_id("endpoint-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("delivery-log")).to_be_visible()
    page.get_by_test_id("send-test").click()

    expect(page.get_by_test_id("log-notice")).to_have_text("Test event sent.")
    row = page.get_by_test_id("delivery-row").first
    expect(row).to_contain_text("webhook.test")
    expect(row.get_by_test_id("delivery-status")).to_have_text("DELIVERED")
    expect(row.get_by_test_id("response-code")).to_have_text("200")
    assert [r["type"] for r in receiver.requests] == ["webhook.test"]
    assert receiver.requests[0]["verified"]

    # Redeliver from the log: the receiver gets it again.
    row.get_by_test_id("redeliver").click()
    expect(page.get_by_test_id("log-notice")).to_have_text("Delivery queued again.")
    expect(page.get_by_test_id("delivery-attempts").first).to_have_text("2")
    assert [r["type"] for r in receiver.requests] == ["webhook.test", "webhook.test"]


@pytest.mark.parametrize("viewport", [(1366, 900), (390, 844)], ids=["laptop", "phone"])
def test_the_domains_page_links_a_domain_owner_to_the_domain_webhooks(
    live_server, page, login, domain, steward, viewport
):
    from projects.choices import DomainRole
    from tests.projects.factories import DomainMembershipFactory, UserFactory

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    domain_owner = UserFactory(username="streaming-owner")
    DomainMembershipFactory(domain=domain, user=domain_owner, role=DomainRole.OWNER)

    # A steward governs the domain but does not manage its webhooks: no link.
    login(steward)
    page.goto(f"{live_server.url}/domains/")
    expect(page.get_by_test_id("domain-card")).to_have_count(1)
    expect(page.get_by_test_id("domain-webhooks-link")).to_have_count(0)

    page.context.clear_cookies()
    login(domain_owner)
    page.goto(f"{live_server.url}/domains/")
    link = page.get_by_test_id("domain-webhooks-link")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(f"{live_server.url}/domains/{domain.pk}/webhooks/")
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    expect(page.get_by_label("URL")).to_be_visible()
