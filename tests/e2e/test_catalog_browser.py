"""Scenario steps 4–5 in Chromium: the film team adds the curated-zone data source, runs it
on a real Celery worker (the run page follows the progress by itself), opens
`film_category` in the inventory and accepts the suggested business names."""

import re

import pytest
from playwright.sync_api import expect

from catalog.choices import RunStatus
from catalog.models import Asset, DataSource, DataSourceRun
from meshportal.demo import seed_aws
from tests.projects.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_producer_imports_curatedzonedb_and_accepts_the_suggested_names(
    live_server, page, login, owner, project, profile, aws, celery_worker
):
    seed_aws()
    EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    login(owner)

    # Step 4: add the data source from the project page.
    page.get_by_role("link", name="Film Catalog Project").first.click()
    expect(page.get_by_test_id("inventory-count")).to_have_text("0")
    page.get_by_role("link", name="Add data source").click()
    page.get_by_label("Name", exact=True).fill("films-CuratedZoneDB")
    page.get_by_label("Environment").select_option(label="Film Datasets S3 — Data lake")
    page.get_by_label("Source type").select_option("GLUE")
    page.get_by_label("Database").fill("curatedzonedb")
    expect(page.get_by_label("Schema")).to_be_hidden()  # Redshift only
    expect(page.get_by_label("Table filters")).to_have_value("INCLUDE *")
    expect(page.get_by_label(re.compile(r"^Schedule"))).to_have_value("")  # on demand
    expect(page.get_by_label("Publish assets on import")).not_to_be_checked()
    expect(page.get_by_label("Publish assets on import")).to_be_enabled()
    expect(page.get_by_label("Generate business names")).to_be_checked()
    page.get_by_role("button", name="Add data source").click()

    expect(page.get_by_role("heading", name="films-CuratedZoneDB")).to_be_visible()
    data_source = DataSource.objects.get(project=project, name="films-CuratedZoneDB")
    assert page.url.endswith(f"/data-sources/{data_source.pk}/")
    assert data_source.filter_expressions == [{"type": "INCLUDE", "expression": "*"}]
    assert (data_source.publish_on_import, data_source.generate_business_names) == (False, True)

    # Run it: the worker imports while the run page polls for its own progress.
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_test_id("run-status")).to_have_text("SUCCESS", timeout=60_000)
    run = DataSourceRun.objects.get(data_source=data_source)
    assert page.url.endswith(f"/data-source-runs/{run.pk}/")
    assert run.status == RunStatus.SUCCESS and run.added == 3
    expect(page.get_by_test_id("count-added")).to_have_text("3")
    expect(page.get_by_test_id("run-progress")).to_have_text("3 of 3 tables processed")
    activities = page.get_by_test_id("activity-table")
    for table in ("streaming_films", "film_category", "category_streams"):
        expect(activities.get_by_role("link", name=table)).to_be_visible()

    # Step 5: open film_category from the project's inventory.
    page.get_by_role("link", name="Film Catalog Project").first.click()
    expect(page.get_by_test_id("inventory-count")).to_have_text("3")
    expect(page.get_by_test_id("last-run-status")).to_have_text("SUCCESS")
    page.get_by_test_id("inventory-link").click()
    expect(page.get_by_role("heading", name="Inventory")).to_be_visible()
    page.get_by_role("link", name="film_category", exact=True).click()

    expect(page.get_by_test_id("asset-name")).to_have_text("film_category")
    expect(page.get_by_test_id("suggestion-value")).to_have_text(
        ["Film Category", "Category ID", "Name", "Film ID", "Special Features"]
    )
    expect(page.get_by_test_id("column-business-name")).to_have_text(
        [
            "Category ID suggested",
            "Name suggested",
            "Film ID suggested",
            "Special Features suggested",
        ]
    )
    page.get_by_role("button", name="Accept all").click()

    expect(page.get_by_test_id("messages")).to_contain_text(
        "Accepted 5 business names; revision 2 records them."
    )
    expect(page.get_by_test_id("asset-name")).to_have_text("Film Category")
    expect(page.get_by_test_id("column-business-name")).to_have_text(
        ["Category ID", "Name", "Film ID", "Special Features"]
    )
    expect(page.get_by_test_id("suggestions")).to_have_count(0)
    newest = page.get_by_test_id("revision-list").locator("li[data-revision]").first
    expect(newest).to_contain_text("Revision 2")
    expect(newest).to_contain_text("Suggestion accepted")
    expect(newest).to_contain_text(
        "Column special_features business name set to “Special Features”"
    )
    asset = Asset.objects.get(technical_name="film_category")
    assert asset.business_name == "Film Category" and asset.current_revision == 2
    assert re.fullmatch(r".*/assets/[0-9a-f-]{36}/", page.url)
