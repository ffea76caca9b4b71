"""Scenario step 6 in Chromium: after the curated zone's import (run through the services,
eagerly, in the test's setup), the film team accepts the suggestions on `film_category`,
renames and describes it, describes its `name` column and publishes it; then
marketing-team-admin, who is in none of their projects, finds it in the catalog and reads
it."""

import re

import pytest
from playwright.sync_api import expect

from catalog import services
from catalog.choices import ListingStatus, RunStatus
from catalog.models import Asset, DataSourceRun, Listing
from glossary.models import GlossaryTerm
from meshportal.demo import seed_aws
from tests.catalog.factories import create_glue_source
from tests.glossary.factories import GlossaryFactory, GlossaryTermFactory
from tests.projects.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

DESCRIPTION = (
    "A **complete listing** of all films in the streaming catalog with each film's "
    "category/genre and its special features."
)
NAME_DESCRIPTION = (
    "The movie category/genre (samples: Animation, Comedy, Sports, Children, Drama, Action)"
)


@pytest.fixture
def imported(aws, project, profile, owner):
    """Steps 4–5's starting point: curatedzonedb imported into Film Catalog Project, and a
    glossary whose "Genre" (synonym: category) the team may attach."""
    seed_aws()
    environment = EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    data_source = create_glue_source(
        owner,
        project,
        environment,
        name="films-CuratedZoneDB",
        filter_expressions=[{"type": "INCLUDE", "expression": "*"}],
        generate_business_names=True,
    )
    services.data_source_run_start(acting_user=owner, data_source=data_source)  # runs eagerly
    run = DataSourceRun.objects.get(data_source=data_source)
    assert (run.status, run.added) == (RunStatus.SUCCESS, 3)
    GlossaryTermFactory(
        glossary=GlossaryFactory(owning_project=project, name="Media"),
        name="Genre",
        synonyms=["category"],
    )
    services.suggest_glossary_terms(Asset.objects.filter(project=project))
    return Asset.objects.get(project=project, technical_name="film_category")


def test_film_team_publishes_film_category_and_marketing_reads_it(
    live_server, page, login, owner, outsider, imported
):
    asset = imported
    login(owner)

    # Open film_category from the project's inventory.
    page.get_by_role("link", name="Film Catalog Project").first.click()
    page.get_by_test_id("inventory-link").click()
    page.get_by_role("link", name="film_category", exact=True).click()
    expect(page.get_by_test_id("asset-name")).to_have_text("film_category")
    expect(page.get_by_test_id("publishing-status")).to_have_text("Not published")
    suggestions = page.get_by_test_id("suggestion-value")
    expect(suggestions).to_have_text(
        [
            "Film Category",
            re.compile(r"Term:\s+Genre\s+Media"),
            "Category ID",
            re.compile(r"Term:\s+Genre\s+Media"),
            "Name",
            "Film ID",
            "Special Features",
        ]
    )

    # Accept every suggestion: the business names and the term for the table and category_id.
    page.get_by_role("button", name="Accept all").click()
    expect(page.get_by_test_id("messages")).to_contain_text(
        "Accepted 5 business names and 2 glossary terms; revision 2 records them."
    )
    expect(page.get_by_test_id("asset-name")).to_have_text("Film Category")
    expect(page.get_by_test_id("asset-terms").get_by_role("link")).to_have_text(["Genre"])

    # Rename and describe the asset.
    page.get_by_test_id("edit-asset").click()
    page.get_by_label("Business name").fill("Movie listings with category")
    page.get_by_label(re.compile(r"^Description")).fill(DESCRIPTION)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("messages")).to_contain_text(
        "“Movie listings with category” saved; revision 3 records the change."
    )
    expect(page.get_by_test_id("asset-name")).to_have_text("Movie listings with category")
    expect(page.get_by_test_id("asset-description").locator("strong")).to_have_text(
        "complete listing"
    )

    # Describe the `name` column as the movie category/genre.
    page.get_by_test_id("edit-columns").click()
    page.get_by_label("Description of name", exact=True).fill(NAME_DESCRIPTION)
    category_terms = page.locator('tr[data-column="category_id"]').locator("[data-term]")
    expect(category_terms).to_have_attribute("data-term", "Genre")
    page.get_by_role("button", name="Save columns").click()
    expect(page.get_by_test_id("messages")).to_contain_text("revision 4 records the change")
    name_row = page.get_by_test_id("column-table").locator('tr[data-column="name"]')
    expect(name_row.get_by_test_id("column-description")).to_have_text(NAME_DESCRIPTION)

    # Publish, approval required (the default).
    expect(page.get_by_label("Approval required")).to_be_checked()
    page.get_by_test_id("publish-button").click()
    expect(page.get_by_test_id("messages")).to_contain_text(
        "“Movie listings with category” published as revision 4 (approval required)."
    )
    expect(page.get_by_test_id("publishing-status")).to_have_text(
        re.compile(r"Published \(revision 4, .+\)")
    )
    listing = Listing.objects.get(asset=asset)
    assert (listing.status, listing.revision, listing.approval_required) == (
        ListingStatus.ACTIVE,
        4,
        True,
    )
    page.get_by_role("button", name="Sign out").click()

    # Step 8's reading, for an outsider: the Catalog, the card, the listing.
    login(outsider)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    card = page.get_by_test_id("listing-card").filter(has_text="Movie listings with category")
    expect(card.get_by_test_id("listing-technical-name")).to_have_text(
        "curatedzonedb.film_category"
    )
    expect(card).to_contain_text("Film Catalog Project")
    card.get_by_test_id("listing-link").click()

    assert page.url.endswith(f"/listings/{listing.pk}/")
    expect(page.get_by_test_id("listing-name")).to_have_text("Movie listings with category")
    expect(page.get_by_test_id("listing-description")).to_have_text(
        "A complete listing of all films in the streaming catalog with each film's "
        "category/genre and its special features."
    )
    schema = page.get_by_test_id("schema-table")
    name_row = schema.locator('tr[data-column="name"]')
    expect(name_row.get_by_test_id("schema-business-name")).to_have_text("Name")
    expect(name_row.get_by_test_id("schema-description")).to_have_text(NAME_DESCRIPTION)
    expect(schema.locator('tr[data-column="category_id"]')).to_contain_text("Genre")
    expect(page.get_by_test_id("listing-access")).to_contain_text("Approval required")
    expect(page.get_by_test_id("unpublished-changes")).to_have_count(0)

    # The term's page lists the listing (loaded by htmx), not the team's inventory.
    genre = GlossaryTerm.objects.get(name="Genre")
    page.get_by_test_id("listing-terms").get_by_role("link", name="Genre").click()
    assert page.url.endswith(f"/glossary-terms/{genre.pk}/")
    usage = page.get_by_test_id("term-usage")
    expect(usage.get_by_test_id("term-listings")).to_contain_text("Movie listings with category")
    expect(usage).to_contain_text("No asset you can see carries it.")
