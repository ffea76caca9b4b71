"""The search page and the nav bar's search box: cards, facets that add and remove
filters, sorting, pagination, odd input, escaping, visibility and the query count."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.catalog.search_corpus import corpus_fixture
from tests.catalog.test_search import bulk_listings

pytestmark = pytest.mark.django_db

corpus = corpus_fixture()


@pytest.fixture
def reader(corpus, client):
    client.force_login(corpus.consumer)
    return client


def page(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def cards(text: str) -> list[str]:
    """The cards' titles, in order."""
    return [html.unescape(t) for t in re.findall(r'data-testid="listing-link">([^<]*)</a>', text)]


def facet_links(text: str, testid: str) -> dict:
    """{label: (count, href)} of a facet group in the sidebar."""
    group = re.search(rf'data-testid="{testid}">(.*?)</section>', text, re.S).group(1)
    return {
        html.unescape(label): (count, html.unescape(href))
        for href, label, count in re.findall(
            r'href="([^"]*)"[^>]*data-testid="facet-value"><span class="search-facets__label">'
            r"([^<]*)</span><span class=\"search-facets__count\">([^<]*)</span>",
            group,
        )
    }


def test_nav_bar_has_the_search_box_on_every_page(reader):
    for url in (reverse("home"), reverse("catalog"), reverse("search")):
        text = reader.get(url).content.decode()
        form = re.search(r'<form class="nav-search"[^>]*>', text).group(0)
        assert 'action="/search/"' in form and 'method="get"' in form
        assert 'name="q"' in text


def test_movie_genre_shows_movie_listings_with_category_first(reader, corpus):
    text = page(reader, q="movie genre")

    assert cards(text)[0] == "Movie listings with category"
    listing = corpus.listing("film_category")
    first_card = text[text.index('data-testid="listing-card"') :]
    first_card = first_card[: first_card.index("</article>")]
    assert f'href="/listings/{listing.pk}/"' in first_card
    assert "film_category" in first_card  # the technical name
    assert "Film Catalog Project" in first_card and "streaming" in first_card
    assert "Glue table" in first_card
    assert "<mark>genre</mark>" in first_card  # the snippet
    assert ">Film</a>" in first_card  # the terms
    # The nav box keeps what was searched.
    assert 'value="movie genre" data-testid="nav-search-input"' in text
    assert reader.get(f"/listings/{listing.pk}/").status_code == 200


def test_facets_link_to_add_and_remove_filters(reader, corpus):
    text = page(reader, q="daily")
    domains = facet_links(text, "facet-domain")
    assert {label: count for label, (count, _) in domains.items()} == {
        "finance": "3",
        "retail": "3",
        "streaming": "3",
    }

    finance = page(reader, **_query(domains["finance"][1]))
    assert sorted(cards(finance)) == [
        "Customer invoices",
        "Foreign exchange rates",
        "General ledger entries",
    ]
    assert "Filtered by" in finance and "Domain: finance" in finance
    refresh = facet_links(finance, "facet-formdata-product-refresh")
    assert refresh["Daily"][0] == "3"

    both = page(reader, **_query(refresh["Daily"][1]))
    assert "Domain: finance" in both and "Data product / Refresh: Daily" in both
    assert len(cards(both)) == 3

    # A selected value links to the same search without it.
    without_domain = _query(facet_links(both, "facet-domain")["finance"][1])
    assert without_domain == {"q": "daily", "form.Data product / Refresh": "Daily"}
    assert len(cards(page(reader, **without_domain))) == 8


def _query(href: str) -> dict:
    from urllib.parse import parse_qs, urlsplit

    parsed = parse_qs(urlsplit(href).query)
    return {k: v if len(v) > 1 else v[0] for k, v in parsed.items()}


def test_sort_select_and_pagination(reader):
    text = page(reader, q="customer", sort="name", page_size=3)
    assert '<option value="name" selected>' in text
    names = cards(text)
    assert names == sorted(names, key=str.lower) and len(names) == 3
    assert 'rel="next"' in text and "1–3 of <strong>8</strong> results" in text
    next_href = html.unescape(re.search(r'href="([^"]*)" rel="next"', text).group(1))
    second = page(reader, **_query(next_href))
    assert "4–6 of <strong>8</strong>" in second
    assert not set(cards(second)) & set(names)


def test_empty_search_lists_everything_newest_first(reader, corpus):
    text = page(reader)
    assert cards(text)[0] == "Staff rosters"  # published last
    assert "<strong>49</strong> results" in text


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("&|!():*", "Nothing in the search could be looked up"),
        ('"special features', "quotation mark was not closed"),
        ("x" * 600, "Only the first 512 characters were searched."),
        ("movie the", "Left out common words: the."),
    ],
)
def test_odd_input_shows_a_message(reader, q, message):
    text = page(reader, q=q)
    assert message in text


def test_bad_parameters_show_a_message_with_400(reader):
    response = reader.get("/search/", {"q": "genre", "domain": "not-an-id"})
    assert response.status_code == 400
    assert "Give domain ids (UUIDs)." in response.content.decode()


def test_a_description_with_a_script_tag_shows_as_text(reader):
    text = page(reader, q="pwned")
    assert "<script>" not in text.split("<main", 1)[1].split("</main>")[0]
    assert "&lt;script&gt;alert(&quot;<mark>pwned</mark>&quot;)&lt;/script&gt;" in text


def test_unpublished_listings_never_show(reader, corpus):
    for q in ("zeppelin", "quokka"):
        text = page(reader, q=q)
        assert cards(text) == [] and "Nothing matches" in text


def test_inventory_search_page_for_members(client, corpus):
    client.force_login(corpus.producers["finance"])
    project = corpus.projects["finance"]
    text = page(client, q="quokka", inventory=str(project.pk))
    assert cards(text) == ["Draft payroll adjustments"]
    assert f'href="/assets/{corpus.assets["draft_payroll_adjustments"].pk}/"' in text
    client.force_login(corpus.consumer)
    assert client.get("/search/", {"q": "quokka", "inventory": str(project.pk)}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, corpus):
    response = client.get("/search/", {"q": "movie"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_capped_count_shows_10000_plus(reader, corpus):
    bulk_listings(corpus.projects["retail"], 10_005, "generic inventory snapshot")
    text = page(reader, q="snapshot")
    assert "<strong>10,000+</strong> results" in text
    assert "≈" in text  # facet counts are estimates


def test_page_costs_a_constant_number_of_queries(reader, django_assert_num_queries):
    def count(**params):
        reader.get("/search/", params)  # warm up the session's first-visit reads
        with CaptureQueriesContext(connection) as queries:
            assert reader.get("/search/", params).status_code == 200
        return len(queries)

    small = count(q="customer", page_size=2)
    assert count(q="customer", page_size=20) == small
    assert count(q="movie genre") == small
    assert count() == small - 1  # nothing to parse
    with django_assert_num_queries(small):
        reader.get("/search/", {"q": "daily", "sort": "name"})
