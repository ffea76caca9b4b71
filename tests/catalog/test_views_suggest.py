"""Search as you type and the search page's sort: ``/search/suggest/`` answers listing
names and glossary terms within its limits in a constant number of queries, and a new
query on the search page sorts by relevance unless the person picked another sort."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from tests.catalog.search_corpus import corpus_fixture

pytestmark = pytest.mark.django_db

corpus = corpus_fixture()
SUGGEST = "/search/suggest/"


@pytest.fixture
def reader(corpus, client):
    client.force_login(corpus.consumer)
    return client


def suggest(client, **params) -> dict:
    response = client.get(SUGGEST, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_prefixes_of_name_words_suggest_listings_and_terms_link_to_their_pages(reader, corpus):
    body = suggest(reader, q="movie lis")
    listing = corpus.listing("film_category")
    assert {
        "kind": "listing",
        "label": "Movie listings with category",
        "detail": "film_category",
        "url": f"/listings/{listing.pk}/",
    } in body["suggestions"]
    assert all(s["kind"] == "listing" for s in body["suggestions"])

    film = suggest(reader, q="Fil")["suggestions"]
    term = corpus.terms[("streaming", "Film")]
    assert {
        "kind": "term",
        "label": "Film",
        "detail": "Glossary term · Streaming vocabulary",
        "url": f"/search/?glossary_term={term.pk}",
    } in film
    # Shortest names first among the listings.
    names = [s["label"] for s in film if s["kind"] == "listing"]
    assert names == sorted(names, key=lambda n: (len(n), n.lower()))


def labels(client, q) -> list[str]:
    return [s["label"] for s in suggest(client, q=q)["suggestions"] if s["kind"] == "listing"]


def test_words_of_business_and_technical_names_in_any_order_only_in_the_catalog(reader):
    assert "Movie listings with category" in labels(reader, "film_cat")  # film_category
    assert "Movie listings with category" in labels(reader, "categ MOVIE")
    assert labels(reader, "movie zzz") == []
    # Unpublished again ("Retired marketing campaigns") and never published ("Draft …").
    assert labels(reader, "retired") == labels(reader, "retired_camp") == []
    assert labels(reader, "draft payroll") == []


def test_suggestions_follow_publishing(reader, corpus):
    listing = corpus.listing("film_category")
    producer = corpus.producers["streaming"]
    services.asset_unpublish(acting_user=producer, asset=listing.asset)
    assert "Movie listings with category" not in labels(reader, "movie lis")
    asset = listing.asset
    services.asset_update(acting_user=producer, asset=asset, business_name="Cinema titles")
    services.asset_publish(acting_user=producer, asset=asset)
    assert labels(reader, "cinema") == ["Cinema titles"]
    assert "Movie listings with category" not in labels(reader, "movie lis")


def test_limits_short_queries_and_odd_input(reader):
    assert suggest(reader, q="m")["suggestions"] == []  # one letter: nothing yet
    assert suggest(reader, q="  ")["suggestions"] == []
    assert suggest(reader, q="'&|!:*()")["suggestions"] == []  # no tsquery syntax leaks
    assert len(suggest(reader, q="da", limit="3")["suggestions"]) <= 3
    for limit in ("0", "21", "x", "-1", "²", "1e1"):
        response = reader.get(SUGGEST, {"q": "daily", "limit": limit})
        assert response.status_code == 400
        assert response.json() == {"limit": ["Give a number from 1 to 20."]}
    response = reader.get(SUGGEST, {"q": "a" * 101})
    assert response.status_code == 400
    assert response.json() == {"q": ["Use at most 100 characters."]}


def test_signed_out_is_sent_to_sign_in(client, corpus):
    response = client.get(SUGGEST, {"q": "movie"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_query_count_does_not_grow_with_matches(reader):
    with CaptureQueriesContext(connection) as few:
        suggest(reader, q="quokka", limit="20")
    with CaptureQueriesContext(connection) as many:
        suggest(reader, q="da", limit="20")
    assert len(many) == len(few)


def sort_selected(text: str) -> str:
    return re.search(r'<option value="(\w+)" selected>', text).group(1)


def test_a_new_query_sorts_by_relevance_unless_the_person_picked_a_sort(reader):
    # An empty search lists the newest first.
    empty = reader.get("/search/").content.decode()
    assert sort_selected(empty) == "published"
    assert 'name="shown_q" value=""' in empty and 'name="shown_sort" value="published"' in empty

    # Typing a query there (the sort select still says Newest) ranks by relevance.
    typed = reader.get("/search/", {"q": "movie genre", "sort": "published", "shown_q": ""})
    typed = typed.content.decode()
    typed_with_shown = reader.get(
        "/search/",
        {"q": "movie genre", "sort": "published", "shown_q": "", "shown_sort": "published"},
    ).content.decode()
    assert sort_selected(typed_with_shown) == "relevance"
    assert sort_selected(typed) == "published"  # no shown_sort: the pick was "published"

    # Picking a sort with the new query keeps it; the same query with another sort too.
    picked = reader.get(
        "/search/",
        {"q": "movie genre", "sort": "name", "shown_q": "", "shown_sort": "published"},
    ).content.decode()
    assert sort_selected(picked) == "name"
    resorted = reader.get(
        "/search/",
        {
            "q": "movie genre",
            "sort": "published",
            "shown_q": "movie genre",
            "shown_sort": "relevance",
        },
    ).content.decode()
    assert sort_selected(resorted) == "published"
    # Links (pages, facets) carry no shown_* parameters.
    assert "shown_q=" not in re.sub(r'<input type="hidden" name="shown_\w+"[^>]*>', "", resorted)
