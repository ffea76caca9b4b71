"""Small gaps a new user hit, in Chromium at desktop (1366×900) and phone (390×844):
the only domain is preselected when creating a project, a failed run offers "Edit data
source", and notifications look like the links they are."""

import pytest
from playwright.sync_api import expect

from catalog.choices import RunErrorType, RunStatus
from tests.catalog.factories import DataSourceFactory, DataSourceRunFactory
from tests.projects.factories import NotificationFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [pytest.param((1366, 900), id="desktop"), pytest.param((390, 844), id="phone")]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_only_domain_is_preselected(live_server, page, login, domain, owner, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(owner)
    page.goto(f"{live_server.url}/projects/new/")
    expect(page.get_by_label("Domain")).to_have_value(str(domain.pk))
    expect(page.get_by_label("Domain").locator("option:checked")).to_have_text("streaming")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_failed_run_offers_edit_data_source(
    live_server, page, login, owner, project, profile, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    source = DataSourceFactory(project=project, environment__profile=profile, name="Curated zone")
    run = DataSourceRunFactory(
        data_source=source,
        status=RunStatus.FAILED,
        error_type=RunErrorType.INTERNAL,
        error_message="The Glue database does not exist.",
    )
    login(owner)
    page.goto(f"{live_server.url}/data-source-runs/{run.pk}/")
    expect(page.get_by_test_id("run-error")).to_contain_text("The Glue database does not exist.")
    edit = page.get_by_role("link", name="Edit data source")
    expect(edit).to_be_visible()
    edit.click()
    page.wait_for_url(f"{live_server.url}/data-sources/{source.pk}/edit/")


@pytest.mark.parametrize("viewport", WIDTHS)
def test_notifications_look_like_links(live_server, page, login, owner, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    NotificationFactory(recipient=owner, title="Environment ready", link="/projects/")
    login(owner)
    page.goto(f"{live_server.url}/notifications/")
    title = page.get_by_role("button", name="Environment ready")
    expect(title).to_be_visible()
    link_color = page.evaluate("getComputedStyle(document.querySelector('main a[href]')).color")
    expect(title).to_have_css("color", link_color)
    title.hover()
    expect(title).to_have_css("text-decoration-line", "underline")
