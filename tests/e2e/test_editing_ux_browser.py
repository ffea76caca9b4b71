"""Usability of editing and consuming, in Chromium at desktop (1366×900) and phone
(390×844), looking at what a person sees: the live Markdown preview, the one
glossary-term picker (chips, search as you type, keyboard) on the asset and its columns,
the inventory's bulk publish / accept suggestions, and a consumer project's page that
shows what it subscribes to or sends its people to the catalog."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Asset, AssetForm, Listing
from sharing.choices import GrantBackend, GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions import services as subscription_services
from tests.catalog.factories import ListingFactory
from tests.catalog.test_pages import make_asset, make_data_source, make_environment
from tests.conftest import REASON
from tests.glossary.factories import (
    FormTypeFactory,
    GlossaryFactory,
    GlossaryTermFactory,
    PublishingRuleFactory,
)
from tests.projects.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [pytest.param((1366, 900), id="desktop"), pytest.param((390, 844), id="phone")]


def at(page, viewport):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})


def no_horizontal_scroll(page):
    """The page itself never scrolls sideways (wide tables scroll inside their box)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def film_category(project, profile):
    data_source = make_data_source(project, make_environment(project, profile))
    asset = make_asset(project, data_source, "film_category", columns=3)
    media = GlossaryFactory(owning_project=project, name="Media")
    genre = GlossaryTermFactory(glossary=media, name="Genre")
    GlossaryTermFactory(glossary=media, name="Film")
    GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=project, name="Sales"), name="Genre"
    )
    asset.glossary_terms.add(genre)
    return asset


@pytest.mark.parametrize("viewport", WIDTHS)
def test_markdown_description_preview_follows_typing(
    live_server, page, login, owner, film_category, viewport
):
    at(page, viewport)
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    login(owner)
    page.goto(f"{live_server.url}/assets/{film_category.pk}/edit/")
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_have_text("Nothing to preview yet.")

    description = page.get_by_label(re.compile(r"^Description"))
    description.fill(
        "A **complete** listing:\n\n- Animation\n- Comedy\n\n[bad](javascript:alert(1))"
    )
    expect(preview.locator("strong")).to_have_text("complete")
    expect(preview.locator("li")).to_have_text(["Animation", "Comedy"])
    expect(preview.get_by_text("bad")).to_be_visible()
    expect(preview.locator("a[href^='javascript']")).to_have_count(0)
    preview.scroll_into_view_if_needed()
    expect(preview).to_be_in_viewport()
    no_horizontal_scroll(page)

    description.fill("Now *different*")
    expect(preview.locator("em")).to_have_text("different")
    expect(preview.locator("strong")).to_have_count(0)
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("viewport", WIDTHS)
def test_one_term_picker_on_the_asset_and_its_columns(
    live_server, page, login, owner, film_category, viewport
):
    at(page, viewport)
    login(owner)
    page.goto(f"{live_server.url}/assets/{film_category.pk}/edit/")

    chips = page.get_by_test_id("term-chips").locator("li")
    expect(chips).to_have_text(["Genre (Media)×"])
    search = page.get_by_role("combobox", name="Glossary terms")
    search.fill("gen")
    options = page.get_by_role("option")
    expect(options).to_have_text(["GenreSales"])  # Genre (Media) is already chosen
    search.fill("f")
    expect(options).to_have_text(["FilmMedia"])
    search.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    search.press("Enter")  # adds the highlighted term, does not submit the form
    expect(chips).to_have_text(["Genre (Media)×", "Film×"])
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.get_by_role("button", name="Remove Genre (Media)").click()
    expect(chips).to_have_text(["Film×"])
    no_horizontal_scroll(page)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("messages")).to_contain_text("revision 2 records the change")
    expect(page.get_by_test_id("asset-terms").get_by_role("link")).to_have_text(["Film"])

    # The same picker on a column: type, pick with the keyboard, save.
    page.get_by_test_id("edit-columns").click()
    row = page.locator('tr[data-column="column_002"]')
    row_search = row.get_by_role("combobox", name="Glossary terms of column_002")
    row_search.fill("genre")
    options = page.get_by_role("option")
    expect(options).to_have_text(["GenreMedia", "GenreSales"])
    expect(options.first).to_have_attribute("aria-selected", "true")  # the first, typed to
    row_search.press("ArrowDown")
    expect(options.nth(1)).to_be_in_viewport()  # floats over the table, not clipped by it
    row_search.press("Enter")
    expect(row.locator("[data-term]")).to_have_attribute("data-term", "Genre (Sales)")
    page.get_by_role("button", name="Save columns").click()
    expect(page.get_by_test_id("messages")).to_contain_text("revision 3 records the change")
    column = film_category.columns.get(name="column_002")
    assert [(t.name, t.glossary.name) for t in column.glossary_terms.all()] == [("Genre", "Sales")]


@pytest.mark.parametrize("viewport", WIDTHS)
def test_inventory_bulk_publish_and_accept_suggestions(
    live_server, page, login, owner, project, profile, viewport
):
    at(page, viewport)
    data_source = make_data_source(project, make_environment(project, profile))
    films = make_asset(project, data_source, "films", columns=2)
    make_asset(project, data_source, "genres", columns=2)
    required = FormTypeFactory(owning_project=project, name="Data owner", fields=[])
    PublishingRuleFactory(domain=project.domain, required_form_types=[required])
    AssetForm.objects.create(asset=films, form_type=required, values={})
    login(owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/inventory/")

    count = page.get_by_test_id("bulk-count")
    expect(count).to_have_text("(none selected)")
    expect(page.get_by_test_id("bulk-publish")).to_be_disabled()
    page.get_by_role("checkbox", name="Select every asset on this page").check()
    expect(count).to_have_text("(2 selected)")
    page.get_by_test_id("bulk-accept").click()
    expect(page.get_by_test_id("messages")).to_contain_text(
        "Accepted 6 suggestions on 2 assets: “Films”, “Genres”."
    )
    expect(page.get_by_test_id("suggestion-count")).to_have_text(["—", "—"])

    page.get_by_role("checkbox", name="Select Films").check()
    page.get_by_role("checkbox", name="Select Genres").check()
    page.get_by_test_id("bulk-publish").click()
    messages = page.get_by_test_id("messages")
    expect(messages).to_contain_text("Published 1 asset: “Films”.")
    expect(messages).to_contain_text(
        "“Genres” was not published: Form “Data owner” is required by the domain's publishing rule."
    )
    expect(page.locator('tr[data-asset="films"]').get_by_test_id("publish-status")).to_have_text(
        "Published"
    )
    expect(page.locator('tr[data-asset="genres"]').get_by_test_id("publish-status")).to_have_text(
        "Not published"
    )
    no_horizontal_scroll(page)
    assert list(Listing.objects.values_list("asset__technical_name", flat=True)) == ["films"]
    assert Asset.objects.get(technical_name="genres").business_name == "Genres"


@pytest.mark.parametrize("viewport", WIDTHS)
def test_consumer_project_page_finds_data_and_shows_subscriptions(
    live_server, page, login, owner, project, consumer, consumer_project, profile, viewport
):
    at(page, viewport)
    login(consumer)
    page.goto(f"{live_server.url}/projects/{consumer_project.pk}/")
    section = page.get_by_test_id("project-consumption")
    expect(section).to_contain_text("This project does not subscribe to any data yet.")
    section.get_by_role("link", name="Search the catalog").click()
    page.wait_for_url(re.compile(r"/search/"))

    listing = ListingFactory(
        asset=make_asset(project, None, "film_category", columns=1, business_name="Movies")
    )
    request, _ = subscription_services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    subscription_services.subscription_request_accept(acting_user=owner, request=request)
    request.refresh_from_db()
    lake = EnvironmentFactory(project=consumer_project, profile=profile, name="Marketing Lake")
    SubscriptionGrant.objects.create(
        subscription=request.subscription,
        environment=lake,
        backend=GrantBackend.LAKE_FORMATION,
        status=GrantStatus.GRANTED,
    )
    page.goto(f"{live_server.url}/projects/{consumer_project.pk}/")
    row = section.locator('tr[data-listing="Movies"]')
    expect(row).to_contain_text("from Film Catalog Project")
    expect(row.get_by_test_id("subscription-status")).to_have_text("Approved")
    expect(row.locator('[data-environment="Marketing Lake"]')).to_contain_text("Granted")
    expect(section).not_to_contain_text("does not subscribe")
    no_horizontal_scroll(page)
    row.get_by_test_id("request-link").click()
    page.wait_for_url(f"{live_server.url}/subscription-requests/{request.pk}/")
    expect(page.get_by_text(REASON).first).to_be_visible()
