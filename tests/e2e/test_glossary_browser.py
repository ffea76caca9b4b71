"""A steward builds the streaming domain's vocabulary in Chromium: creates the glossary
"Media" for Film Catalog Project, adds "Genre" (with synonyms) and "Category", makes
Genre a kind of Category, sees the tree, and downloads the glossary as CSV."""

import csv
import io

import pytest
from playwright.sync_api import expect

from glossary.models import Glossary

pytestmark = pytest.mark.django_db(transaction=True)


def test_steward_builds_a_glossary_and_exports_it(live_server, page, login, steward, project):
    login(steward)

    page.get_by_role("link", name="Glossaries", exact=True).first.click()
    expect(page.get_by_role("heading", name="Glossaries", exact=True)).to_be_visible()
    page.get_by_role("link", name="Create glossary").first.click()
    page.get_by_label("Owning project").select_option(label="Film Catalog Project — streaming")
    page.get_by_label("Name").fill("Media")
    page.get_by_label("Description").fill("The words of our film catalog.")
    page.get_by_role("button", name="Create glossary").click()

    expect(page.get_by_role("heading", name="Media", exact=True)).to_be_visible()
    glossary = Glossary.objects.get(name="Media")
    assert (glossary.domain.name, glossary.owning_project) == ("streaming", project)

    page.get_by_role("link", name="Add term").click()
    page.get_by_label("Name").fill("Genre")
    page.get_by_label("Short description").fill("The style of a film.")
    page.get_by_label("Synonyms").fill("category; kind")
    page.get_by_role("button", name="Add and add another").click()
    expect(page.get_by_text("Term “Genre” added to Media.")).to_be_visible()

    page.get_by_label("Name").fill("Category")
    page.get_by_label("Short description").fill("A way to group films.")
    page.get_by_role("button", name="Add term", exact=True).click()
    expect(page.get_by_role("heading", name="Category")).to_be_visible()

    page.get_by_role("link", name="Media").last.click()
    page.get_by_role("link", name="Genre").first.click()
    expect(page.get_by_test_id("synonyms")).to_contain_text("category")
    expect(page.get_by_test_id("synonyms")).to_contain_text("kind")
    page.get_by_role("link", name="Edit term").click()
    page.get_by_label("Is a kind of (broader terms)").select_option(label="Category")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("broader-terms")).to_have_text("Category")

    page.get_by_role("link", name="Media").last.click()
    tree = page.get_by_test_id("term-tree")
    category = tree.locator(":scope > li[data-term='Category']")
    expect(category).to_be_visible()
    expect(category.locator("li[data-term='Genre']")).to_be_visible()
    expect(tree.locator(":scope > li[data-term='Genre']")).to_have_count(0)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    download = download_info.value
    assert download.suggested_filename == "Media.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [(r["name"], r["synonyms"], r["parents"]) for r in rows] == [
        ("Category", "", ""),
        ("Genre", "category;kind", "Category"),
    ]
