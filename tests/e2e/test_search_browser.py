"""Scenario step 8 in Chromium: marketing-team-admin types `movie genre` in the nav bar's
search box; "Movie listings with category" is the first result though its technical name
is `film_category`; one click opens the listing. Then a facet narrows the results."""

import re

import pytest
from playwright.sync_api import expect

from tests.catalog.search_corpus import build_corpus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corpus(transactional_db):
    return build_corpus()


def test_movie_genre_from_the_nav_bar_finds_the_listing_first(live_server, page, login, corpus):
    login(corpus.consumer)
    listing = corpus.listing("film_category")

    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill("movie genre")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=movie\+genre"))

    first = page.get_by_test_id("listing-card").first
    expect(first.get_by_test_id("listing-link")).to_have_text("Movie listings with category")
    expect(first.get_by_test_id("listing-technical-name")).to_contain_text("film_category")
    expect(first.locator("mark").first).to_be_visible()
    expect(page.get_by_test_id("search-count")).to_contain_text("5 results")
    expect(box).to_have_value("movie genre")

    first.get_by_test_id("listing-link").click()
    page.wait_for_url(f"{live_server.url}/listings/{listing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Movie listings with category")


def test_a_facet_narrows_the_results_and_can_be_removed(live_server, page, login, corpus):
    login(corpus.consumer)
    page.goto(f"{live_server.url}/search/?q=daily")
    expect(page.get_by_test_id("listing-card")).to_have_count(9)

    page.get_by_test_id("facet-domain").get_by_role("link", name=re.compile("^finance")).click()
    expect(page.get_by_test_id("listing-card")).to_have_count(3)
    expect(page.get_by_test_id("search-selected")).to_contain_text("Domain: finance")

    page.get_by_test_id("search-selected").get_by_role("link", name=re.compile("finance")).click()
    expect(page.get_by_test_id("listing-card")).to_have_count(9)
