"""``GET /api/v1/search/``: scenario step 8, the answer's shape, filters and facets,
visibility, inventory search, odd input, pagination links and the query count."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.catalog.search_corpus import LISTINGS, corpus_fixture

pytestmark = pytest.mark.django_db

corpus = corpus_fixture()
SEARCH = "/api/v1/search/"


@pytest.fixture
def api(corpus):
    """marketing-team-admin's stand-in: signed in, member of nothing in the corpus."""
    client = APIClient()
    client.force_authenticate(corpus.consumer)
    return client


def link(url) -> dict:
    parts = urlsplit(url)
    assert parts.path == SEARCH
    return parse_qs(parts.query)


def get(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_scenario_step_8_movie_genre_puts_movie_listings_with_category_first(api, corpus):
    body = get(api, q="movie genre")

    first = body["results"][0]
    listing = corpus.listing("film_category")
    assert first == {
        "id": str(listing.pk),
        "kind": "listing",
        "name": "Movie listings with category",
        "technical_name": "film_category",
        "project": {"id": str(listing.project_id), "name": "Film Catalog Project"},
        "domain": {"id": str(listing.domain_id), "name": "streaming"},
        "asset_type": "GLUE_TABLE",
        "snippet": first["snippet"],
        "snippet_matches": first["snippet_matches"],
        "snippet_html": first["snippet_html"],
        "glossary_terms": [
            {
                "id": str(corpus.terms[("streaming", "Film")].pk),
                "name": "Film",
                "glossary": "Streaming vocabulary",
            }
        ],
        "published_at": listing.published_at.isoformat(),
        "url": f"http://testserver/listings/{listing.pk}/",
        "score": first["score"],
    }
    assert first["score"] > body["results"][1]["score"] > 0
    # Plain text for clients, with where the matches are; HTML beside it.
    snippet = first["snippet"]
    assert "<" not in snippet and "&" not in snippet and "\u200b" not in snippet
    marked = [snippet[m["start"] : m["end"]].lower() for m in first["snippet_matches"]]
    assert "movie" in marked and "genre" in marked
    html = first["snippet_html"]
    assert "<mark>movie</mark>" in html and "<mark>genre</mark>" in html
    assert "\u200b" not in html
    # The listing page is one click away.
    assert api.get(first["url"]).status_code in (200, 302)


def test_answer_carries_count_facets_links_and_notes(api):
    body = get(api, q="daily", page_size=3)

    assert set(body) == {
        "count",
        "count_is_estimate",
        "results",
        "facets",
        "facets_are_estimates",
        "next",
        "previous",
        "sort",
        "notes",
    }
    assert body["count"] == 9 and body["count_is_estimate"] is False
    assert body["facets_are_estimates"] is False
    assert len(body["results"]) == 3 and body["sort"] == "relevance"
    assert link(body["next"]) == {"q": ["daily"], "page_size": ["3"], "page": ["2"]}
    assert body["previous"] is None
    assert {"domain", "project", "asset_type", "glossary_term"} <= set(body["facets"])
    # category_streams says "daily" but is refreshed hourly.
    assert body["facets"]["form.Data product / Refresh"] == [
        {"value": "Daily", "label": "Daily", "count": 8, "selected": False},
        {"value": "Hourly", "label": "Hourly", "count": 1, "selected": False},
    ]

    second = get(api, q="daily", page_size=3, page=2)
    assert link(second["previous"]) == {"q": ["daily"], "page_size": ["3"]}
    last = get(api, q="daily", page_size=3, page=3)
    assert last["next"] is None
    everything = [r["id"] for b in (body, second, last) for r in b["results"]]
    assert len(everything) == len(set(everything)) == 9


def test_filters_through_the_api(api, corpus):
    retail = corpus.domains["retail"]
    body = get(api, domain=str(retail.pk), **{"form.Data product / Refresh": "Daily"})

    assert {r["technical_name"] for r in body["results"]} == {
        "customer_lifetime_value",
        "customers",
        "daily_revenue",
    }
    assert body["facets"]["domain"] == [
        {"value": str(retail.pk), "label": "retail", "count": 3, "selected": True}
    ]
    assert body["facets"]["form.Data product / Refresh"][0]["selected"] is True
    assert body["sort"] == "published"

    by_name = get(api, q="customer", sort="name", asset_type="GLUE_TABLE")
    names = [r["name"] for r in by_name["results"]]
    assert names == sorted(names, key=str.lower) and "Customer invoices" not in names


def test_inactive_listings_and_unpublished_assets_never_appear(api, corpus):
    for q in ("zeppelin", "quokka", "retired marketing campaigns"):
        assert get(api, q=q)["results"] == []
    producer = APIClient()
    producer.force_authenticate(corpus.producers["retail"])
    assert get(producer, q="zeppelin")["count"] == 0
    facets = get(api)["facets"]
    assert {v["label"]: v["count"] for v in facets["domain"]}["retail"] == 12


def test_inventory_search_for_the_project_and_no_one_else(api, corpus):
    project = corpus.projects["finance"]
    producer = APIClient()
    producer.force_authenticate(corpus.producers["finance"])

    body = get(producer, q="quokka", inventory=str(project.pk))
    assert [(r["kind"], r["technical_name"]) for r in body["results"]] == [
        ("asset", "draft_payroll_adjustments")
    ]
    assert body["results"][0]["url"] == (
        f"http://testserver/assets/{corpus.assets['draft_payroll_adjustments'].pk}/"
    )

    assert api.get(SEARCH, {"q": "quokka", "inventory": str(project.pk)}).status_code == 404
    assert api.get(SEARCH, {"q": "quokka", "inventory": "nope"}).status_code == 400


def test_anonymous_callers_are_refused(corpus):
    response = APIClient().get(SEARCH, {"q": "movie"})
    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "q",
    [
        "x" * 5000,
        '"unbalanced',
        "the of and",
        "&|!():*<>'\\",
        "'); DROP TABLE catalog_listing; --",
        "genre:* & !movie",
        "-",
    ],
)
def test_odd_queries_answer_200(api, q):
    body = get(api, q=q)
    assert body["count"] == 0 or body["results"]
    assert isinstance(body["notes"], list)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"domain": "x"}, "domain"),
        ({"sort": "random"}, "sort"),
        ({"page_size": "0"}, "page_size"),
        ({"asset_type": "TABLE"}, "asset_type"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(api, params, field):
    response = api.get(SEARCH, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "movie genre"}, 3),
        ({"q": "customer", "domain": "", "sort": "published", "page": 2, "page_size": 2}, 3),
        ({}, 2),
    ],
)
def test_query_count_is_pinned_and_does_not_grow_with_results(
    api, params, expected, django_assert_num_queries
):
    with django_assert_num_queries(expected):
        api.get(SEARCH, {**params, "page_size": params.get("page_size", 5)})
    with CaptureQueriesContext(connection) as bigger:
        api.get(SEARCH, {**params, "page_size": 50})
    assert len(bigger) == expected


def test_every_published_listing_is_reachable_page_by_page(api):
    seen, page = [], 1
    while True:
        body = get(api, page_size=7, page=page)
        seen += [r["id"] for r in body["results"]]
        if body["next"] is None:
            break
        page += 1
    assert len(seen) == len(set(seen)) == len(LISTINGS)


def test_more_than_ten_thousand_matches_say_so(api, corpus):
    from tests.catalog.test_search import bulk_listings

    bulk_listings(corpus.projects["retail"], 10_005, "generic inventory snapshot")
    body = get(api, q="snapshot")
    assert (body["count"], body["count_is_estimate"], body["facets_are_estimates"]) == (
        10_000,
        True,
        True,
    )
    assert body["facets"]["domain"][0]["count"] == 10_000
    assert body["next"] is not None and len(body["results"]) == 20
