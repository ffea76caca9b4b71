"""The navigation search box at desktop (1366×900) and phone (390×844) widths: a real
field with its button beside it (never over the text), suggestions while typing that the
keyboard can pick, and a new query ranked by relevance after an empty search."""

import re

import pytest
from playwright.sync_api import expect

from tests.catalog.search_corpus import build_corpus

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [pytest.param((1366, 900), id="desktop"), pytest.param((390, 844), id="phone")]


@pytest.fixture
def corpus(transactional_db):
    return build_corpus()


@pytest.mark.parametrize("viewport", WIDTHS)
def test_nav_search_is_a_real_field_with_keyboard_suggestions(
    live_server, page, login, corpus, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(corpus.consumer)
    listing = corpus.listing("film_category")

    box = page.get_by_role("combobox", name="Search the catalog")
    button = page.get_by_role("button", name="Search", exact=True)
    expect(box).to_be_visible()
    expect(button).to_be_visible()
    field, knob = box.bounding_box(), button.bounding_box()
    assert field["width"] >= 200, field
    assert knob["x"] >= field["x"] + field["width"], (field, knob)  # beside, not over
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
    # A click in the middle of the field types there; it does not submit.
    box.click()
    expect(box).to_be_focused()
    assert page.url == f"{live_server.url}/"

    box.press_sequentially("movie lis", delay=40)
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.get_by_test_id("nav-search-suggestions")).to_contain_text(
        "Movie listings with category"
    )
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "nav-search-option-0")
    box.press("Escape")
    expect(page.get_by_test_id("nav-search-suggestions")).to_be_hidden()

    box.fill("")
    box.press_sequentially("movie lis", delay=40)
    expect(
        page.get_by_role("option", name=re.compile("Movie listings with category"))
    ).to_be_visible()
    expect(options.first).to_have_text(re.compile("^Movie listings with category"))
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}/listings/{listing.pk}/")

    # Terms are suggested too and open the search filtered by the term.
    box = page.get_by_role("combobox", name="Search the catalog")
    box.press_sequentially("Fil", delay=40)
    term = page.get_by_role("option", name=re.compile(r"^Film Glossary term"))
    expect(term).to_be_visible()
    term.click()
    page.wait_for_url(re.compile(r"/search/\?glossary_term="))


@pytest.mark.parametrize("viewport", WIDTHS)
def test_a_query_typed_after_an_empty_search_ranks_by_relevance(
    live_server, page, login, corpus, viewport
):
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(corpus.consumer)
    page.goto(f"{live_server.url}/search/")
    expect(page.get_by_test_id("search-sort")).to_have_value("published")
    page.get_by_test_id("search-input").fill("movie genre")
    page.get_by_test_id("search-input").press("Enter")
    page.wait_for_url(re.compile(r"q=movie\+genre"))
    expect(page.get_by_test_id("search-sort")).to_have_value("relevance")
    expect(page.get_by_test_id("listing-link").first).to_have_text("Movie listings with category")
