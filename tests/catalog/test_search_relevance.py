"""Relevance on a labelled corpus: each query names the listing that must come first (or be
among the first three), and what must not appear at all."""

import pytest
from django.http import QueryDict

from catalog.search import SearchRequest, search_listings
from tests.catalog.search_corpus import corpus_fixture

pytestmark = pytest.mark.django_db

corpus = corpus_fixture()


def ranked(corpus, q, **params) -> list[str]:
    """Technical names of the results, best first."""
    query = QueryDict(mutable=True)
    query["q"] = q
    for key, value in params.items():
        query[key] = value
    results = search_listings(user=corpus.consumer, request=SearchRequest.from_query(query))
    return [hit.technical_name for hit in results.hits]


FIRST = [
    # what a person types, the listing that must come first, and why
    ("movie genre", "film_category", "scenario step 8: business words, not the technical name"),
    ("film_category", "film_category", "exact technical name (film_category_archive is close)"),
    ("FILM_CATEGORY", "film_category", "exact technical name, any case"),
    ("Customer lifetime value", "customer_lifetime_value", "exact business name"),
    ("customer value segments", "customer_value_segments", "exact business name, lower case"),
    ("attrition", "subscriber_cancellations", "synonym of the glossary term Churn"),
    ("payment method", "card_transactions", "broader term (is_a) of the term Debit card"),
    ("sommelier", "wine_pairings", "a word only in a column description"),
    ("visitor counts", "store_footfall", "plural and stemmed forms (Visitors counted)"),
    ('"special features"', "film_category", "a quoted phrase"),
    ("orders -cancelled", "orders", "an excluded word"),
    ("nightingale", "watch_sessions", "a searchable form value"),
    ("receivables aging", "ar_aging", "exact business name over term synonyms"),
    ("drop-off", "delivery_exceptions", "a hyphenated synonym"),
]


@pytest.mark.parametrize(("q", "expected", "why"), FIRST, ids=[f[0] for f in FIRST])
def test_expected_listing_comes_first(corpus, q, expected, why):
    results = ranked(corpus, q)
    assert results, f"{q!r} found nothing ({why})"
    assert results[0] == expected, f"{q!r}: {results[:5]} ({why})"


TOP_THREE = [
    ("warehou", "warehouse_inventory", "prefix of the last word while typing"),
    ("subscri", "subscriber_cancellations", "prefix of the last word while typing"),
    ("consignment", "shipments", "synonym of Shipment, carried by two listings"),
    ("classification", "category_streams", "synonym of Category"),
    ("bill", "supplier_invoices", "synonym of Invoice"),
    ("genre", "film_category", "a column's term and the description"),
    ("tracking", "shipment_events", "a word in the business name and the description"),
]


@pytest.mark.parametrize(("q", "expected", "why"), TOP_THREE, ids=[t[0] for t in TOP_THREE])
def test_expected_listing_is_in_the_top_three(corpus, q, expected, why):
    results = ranked(corpus, q)
    assert expected in results[:3], f"{q!r}: {results[:5]} ({why})"


def test_a_phrase_needs_its_words_together(corpus):
    # product_catalog has "special" and "features" in different columns.
    assert "product_catalog" in ranked(corpus, "special features")
    assert "product_catalog" not in ranked(corpus, '"special features"')


def test_excluded_word_removes_every_listing_that_has_it(corpus):
    results = ranked(corpus, "orders -cancelled")
    assert "cancelled_orders" not in results
    assert "prescriptions" in results  # "Medication orders": lower, but there
    assert "cancelled_orders" in ranked(corpus, "orders")


def test_listings_matching_most_words_follow_those_matching_all(corpus):
    results = ranked(corpus, "movie genre")
    # music_genres (genre) and movie_ratings (movie) match one word each: after the
    # listing that matches both, but still there.
    assert results[0] == "film_category"
    assert {"music_genres", "movie_ratings"} <= set(results[1:])


def test_renamed_term_is_found_by_its_new_name_only(corpus):
    from glossary.services import term_update

    churn = corpus.terms[("streaming", "Churn")]
    term_update(acting_user=corpus.stewards["streaming"], term=churn, name="Defection")
    assert ranked(corpus, "defection")[0] == "subscriber_cancellations"
    assert "subscriber_cancellations" not in ranked(corpus, "churn")


def test_scenario_step_8_through_the_catalog_search_of_a_consumer(corpus):
    """marketing-team-admin (member of nothing here) searches for `movie genre`."""
    query = QueryDict("q=movie+genre")
    results = search_listings(user=corpus.consumer, request=SearchRequest.from_query(query))
    first = results.hits[0]
    assert (first.name, first.technical_name) == ("Movie listings with category", "film_category")
    assert first.url == f"/listings/{corpus.listing('film_category').pk}/"
    assert "<mark>" in first.snippet
