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


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_listing_links_its_project_to_its_owners_and_says_when_the_source_changed(
    live_server, page, login, outsider, owner, project, viewport
):
    from datetime import UTC, datetime

    from catalog.models import Asset
    from tests.catalog.factories import ListingFactory

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    owner.first_name, owner.last_name, owner.email = "Ada", "Film", "ada@example.com"
    owner.save()
    listing = ListingFactory(
        asset__data_source__project=project, name="Movie listings with category"
    )
    Asset.objects.filter(pk=listing.asset_id).update(
        source_updated_at=datetime(2026, 3, 4, 5, 6, tzinfo=UTC)
    )
    login(outsider)  # a consumer: no member of the project
    page.goto(f"{live_server.url}/listings/{listing.pk}/")
    expect(page.get_by_test_id("listing-source-changed")).to_contain_text("Mar 4, 2026 05:06")
    page.get_by_test_id("listing-owner-link").click()
    page.wait_for_url(f"{live_server.url}/publishers/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Film Catalog Project")
    owners = page.get_by_test_id("publisher-owners")
    expect(owners).to_contain_text("Ada Film")
    expect(owners.get_by_role("link", name="ada@example.com")).to_be_visible()
    expect(page.get_by_test_id("publisher-listings")).to_contain_text(
        "Movie listings with category"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_inventory_shows_publish_status_and_plain_text_descriptions(
    live_server, page, login, owner, project, profile, viewport
):
    from catalog.models import Asset
    from tests.catalog.factories import AssetFactory, ListingFactory

    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    source = DataSourceFactory(project=project, environment__profile=profile)
    published = AssetFactory(
        data_source=source,
        technical_name="films",
        description="**Every** film, see [the docs](https://example.com) & <b>more</b>",
    )
    ListingFactory(asset=published)
    edited = AssetFactory(data_source=source, technical_name="edited")
    ListingFactory(asset=edited)
    Asset.objects.filter(pk=edited.pk).update(current_revision=edited.current_revision + 1)
    AssetFactory(data_source=source, technical_name="draft")
    login(owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/inventory/")

    rows = page.get_by_test_id("asset-table")
    expect(rows.locator("tr[data-asset=films] [data-testid=publish-status]")).to_have_text(
        "Published"
    )
    expect(rows.locator("tr[data-asset=edited] [data-testid=publish-status]")).to_have_text(
        "Published · changes not published"
    )
    expect(rows.locator("tr[data-asset=draft] [data-testid=publish-status]")).to_have_text(
        "Not published"
    )
    expect(rows.locator("tr[data-asset=films] [data-testid=inventory-description]")).to_have_text(
        "Every film, see the docs & more"
    )


@pytest.mark.parametrize("viewport", WIDTHS)
def test_api_docs_signed_out_sends_people_to_sign_in_and_back(
    live_server, page, owner, password, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/api/docs/")
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{live_server.url}/api/docs/")
    expect(page.locator("#swagger-ui")).to_be_attached()
