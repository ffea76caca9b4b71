"""Signing in with SSO in a real browser: Chromium → the portal (`live_server`) → the real
OpenID Connect provider's sign-in form → back to the portal, where the `groups` claim
decides which projects the user sees."""

import os

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from projects.choices import Designation
from tests.projects.factories import DomainFactory, ProjectFactory, ProjectMembershipFactory
from tests.sso.conftest import PROVIDER_NAME, SSO_ACCOUNTS, configure_sso, start_idp

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls
# would otherwise be refused by Django's async-safety guard.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.sso, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def idp(live_server):
    """The test OpenID Connect provider, knowing the portal's callback; stopped afterwards."""
    with start_idp(live_server.url) as provider:
        yield provider


def test_sign_in_with_sso_and_open_a_project_shared_with_my_group(live_server, settings, idp, page):
    configure_sso(settings, idp.issuer)
    domain = DomainFactory(name="marketing")
    campaigns = ProjectFactory(domain=domain, name="Campaign Analytics")
    ProjectMembershipFactory(
        project=campaigns, user=None, group="marketing", designation=Designation.VIEWER
    )
    film = ProjectFactory(domain=domain, name="Film Catalog Project")
    ProjectMembershipFactory(
        project=film, user=None, group="film-catalog", designation=Designation.VIEWER
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()

    page.wait_for_url(f"{idp.issuer}/**")
    page.get_by_label("Username").fill("marketing-team-admin")
    page.get_by_label("Password").fill(SSO_ACCOUNTS["marketing-team-admin"]["password"])
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_title("Signed in as marketing-team-admin")).to_be_visible()
    user = get_user_model().objects.get(username="marketing-team-admin")
    assert list(user.groups.values_list("name", flat=True)) == ["marketing"]

    page.goto(f"{live_server.url}/projects/{campaigns.pk}/")
    expect(page.get_by_role("heading", name="Campaign Analytics")).to_be_visible()

    response = page.goto(f"{live_server.url}/projects/{film.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Film Catalog Project")
