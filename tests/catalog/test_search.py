"""Catalog search beyond ranking: facets and filters, visibility, keeping documents
current (publish, unpublish, glossary changes, rebuild_search), odd input, sorting,
pagination, snippets, the capped count, inventory search and the query count."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.http import Http404, QueryDict
from django.utils import timezone

from catalog import services
from catalog.models import Listing
from catalog.search import (
    COUNT_CAP,
    MAX_QUERY_LENGTH,
    SearchRequest,
    rebuild_listings_task,
    search_inventory,
    search_listings,
)
from glossary import services as glossary_services
from tests.catalog.search_corpus import LISTINGS, corpus_fixture

pytestmark = pytest.mark.django_db

corpus = corpus_fixture()
PUBLISHED = len(LISTINGS)


def query(**params) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list | tuple):
            q.setlist(key, [str(v) for v in value])
        else:
            q[key] = str(value)
    return q


def search(corpus, user=None, **params):
    return search_listings(
        user=user or corpus.consumer, request=SearchRequest.from_query(query(**params))
    )


def names(results) -> list[str]:
    return [hit.technical_name for hit in results.hits]


def facet(results, name) -> dict:
    return {v.label: v.count for v in results.facets.get(name, [])}


# --- Facets and filters ---------------------------------------------------------------------


def test_empty_query_lists_every_active_listing_newest_first_with_facets(corpus):
    results = search(corpus, page_size=100)

    assert results.count == PUBLISHED and not results.count_is_estimate
    assert results.sort == "published"
    published = [hit.published_at for hit in results.hits]
    assert published == sorted(published, reverse=True)
    assert names(results)[0] == LISTINGS[-1][1]  # published last
    assert facet(results, "domain") == {
        "streaming": 10,
        "retail": 12,
        "finance": 11,
        "logistics": 8,
        "healthcare": 8,
    }
    assert facet(results, "project")["Retail Analytics"] == 12
    assert facet(results, "asset_type") == {"Glue table": 38, "Redshift table": 11}
    assert facet(results, "glossary_term")["Customer"] == 5
    assert facet(results, "form.Data product / Refresh") == {"Daily": 8, "Hourly": 6}
    assert facet(results, "form.Data product / Contains PII") == {"Yes": 4, "No": 1}
    # TEXT fields and fields that are not searchable make no facet.
    assert "form.Data product / Internal code" not in results.facets


def test_facet_values_carry_ids_and_what_is_selected(corpus):
    retail = corpus.domains["retail"]
    results = search(corpus, domain=retail.pk)

    domains = results.facets["domain"]
    assert [(v.value, v.label, v.count, v.selected) for v in domains] == [
        (str(retail.pk), "retail", 12, True)
    ]
    customer = corpus.terms[("retail", "Customer")]
    assert any(
        v.value == str(customer.pk) and v.label == "Customer"
        for v in results.facets["glossary_term"]
    )


def test_filters_combine_with_the_text_and_with_each_other(corpus):
    finance, retail = corpus.domains["finance"], corpus.domains["retail"]

    daily = search(corpus, q="daily", page_size=50)
    assert {"daily_revenue", "fx_rates", "category_streams"} <= set(names(daily))

    in_finance = search(corpus, q="daily", domain=finance.pk)
    assert names(in_finance) and set(names(in_finance)) <= {
        spec[1] for spec in LISTINGS if spec[0] == "finance"
    }
    assert "daily_revenue" not in names(in_finance)
    assert facet(in_finance, "domain") == {"finance": in_finance.count}

    # Several values of one facet: either; different facets: both.
    either = search(corpus, q="daily", domain=[finance.pk, retail.pk])
    assert {"daily_revenue", "fx_rates"} <= set(names(either))
    assert "category_streams" not in names(either)

    customer = corpus.terms[("retail", "Customer")]
    both = search(corpus, domain=retail.pk, glossary_term=customer.pk)
    assert set(names(both)) == {
        "customer_lifetime_value",
        "customers",
        "customer_value_segments",
        "orders",
        "loyalty_points",
    }
    refreshed_daily = search_listings(
        user=corpus.consumer,
        request=SearchRequest.from_query(
            QueryDict(
                f"domain={retail.pk}&glossary_term={customer.pk}"
                "&form.Data+product+%2F+Refresh=Daily"
            )
        ),
    )
    assert set(names(refreshed_daily)) == {"customer_lifetime_value", "customers"}
    assert facet(refreshed_daily, "form.Data product / Refresh") == {"Daily": 2}


def test_asset_type_filter(corpus):
    results = search(corpus, q="invoices", asset_type="REDSHIFT_TABLE")
    assert set(names(results)) == {"invoices", "supplier_invoices"}
    assert search(corpus, q="invoices", asset_type="GLUE_TABLE").hits == []


def test_project_filter(corpus):
    results = search(corpus, project=corpus.projects["logistics"].pk, page_size=50)
    assert results.count == 8
    assert facet(results, "project") == {"Logistics Ops": 8}


# --- Visibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["zeppelin", "quokka", "retired_campaigns", "draft_payroll"])
def test_unpublished_listings_and_inventory_never_appear_for_anyone(corpus, word):
    for user in (corpus.consumer, corpus.producers["retail"], corpus.producers["finance"]):
        assert search(corpus, user=user, q=word).hits == []


def test_inactive_listings_are_left_out_of_facet_counts(corpus):
    everything = search(corpus)
    # retired_campaigns (retail, term Customer, owner team "Zeppelin crew") is INACTIVE.
    assert Listing.objects.filter(asset__technical_name="retired_campaigns").get().status == (
        "INACTIVE"
    )
    assert facet(everything, "domain")["retail"] == 12
    assert facet(everything, "glossary_term")["Customer"] == 5
    assert "Zeppelin crew" not in facet(everything, "form.Data product / Owner team")
    assert "Weekly" not in facet(everything, "form.Data product / Refresh")


def test_search_needs_a_signed_in_user(corpus):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValidationError):
        search_listings(user=AnonymousUser(), request=SearchRequest())


def test_inventory_search_is_for_the_project_and_ranks_the_same_way(corpus):
    finance = corpus.projects["finance"]
    producer = corpus.producers["finance"]

    def inventory(user, q):
        return search_inventory(
            user=user, project_id=finance.pk, request=SearchRequest.from_query(query(q=q))
        )

    draft = inventory(producer, "quokka")
    assert [(h.kind, h.technical_name) for h in draft.hits] == [
        ("asset", "draft_payroll_adjustments")
    ]
    assert draft.hits[0].url == f"/assets/{corpus.assets['draft_payroll_adjustments'].pk}/"
    assert "<mark>quokka</mark>" in draft.hits[0].snippet
    # The same words rank the same listing first as in the catalog.
    assert names(inventory(producer, "receivables aging"))[0] == "ar_aging"
    assert names(inventory(producer, "bill"))[0] == "supplier_invoices"
    assert "general_ledger_entries" in names(inventory(producer, "GL"))
    # Stewards of the domain see the project too; other people do not.
    assert names(inventory(corpus.stewards["finance"], "quokka")) == ["draft_payroll_adjustments"]
    for outsider in (corpus.consumer, corpus.producers["retail"]):
        with pytest.raises(Http404):
            inventory(outsider, "quokka")
    # Only the project's own assets.
    assert inventory(producer, "shipments").hits == []


# --- Documents follow publishing and the glossary -------------------------------------------


def test_publishing_republishing_and_unpublishing_update_search_at_once(corpus):
    producer = corpus.producers["logistics"]
    asset = corpus.assets["fleet_telemetry"]
    assert search(corpus, q="odometer").hits == []
    assert names(search(corpus, q="gps")) == ["fleet_telemetry"]

    services.asset_update(
        acting_user=producer, asset=asset, description="Odometer readings of every van."
    )
    assert search(corpus, q="odometer").hits == []  # edited, not published yet
    services.asset_publish(acting_user=producer, asset=asset)
    assert names(search(corpus, q="odometer")) == ["fleet_telemetry"]
    assert search(corpus, q="gps").hits == []  # the old description is gone

    services.asset_unpublish(acting_user=producer, asset=asset)
    assert search(corpus, q="odometer").hits == []
    assert facet(search(corpus), "domain")["logistics"] == 7

    services.asset_publish(acting_user=producer, asset=asset)
    assert names(search(corpus, q="odometer")) == ["fleet_telemetry"]


def test_new_synonym_finds_the_listings_carrying_the_term_on_a_column(corpus):
    genre = corpus.terms[("streaming", "Genre")]
    assert "film_category" not in names(search(corpus, q="subgenre"))

    glossary_services.term_update(
        acting_user=corpus.stewards["streaming"], term=genre, synonyms=["film genre", "subgenre"]
    )
    assert {"film_category", "music_genres"} <= set(names(search(corpus, q="subgenre")))


def test_renaming_a_broader_term_reaches_listings_of_its_narrower_terms(corpus):
    category = corpus.terms[("streaming", "Category")]
    glossary_services.term_update(
        acting_user=corpus.stewards["streaming"], term=category, name="Taxonomy"
    )
    # film_category carries Genre (on a column), which is a Category → now a Taxonomy.
    found = names(search(corpus, q="taxonomy", page_size=50))
    assert {"film_category", "music_genres", "category_streams"} <= set(found)


def test_a_new_broader_term_is_searchable_on_listings_carrying_the_term(corpus):
    steward = corpus.stewards["logistics"]
    carrier = corpus.terms[("logistics", "Carrier")]
    partner = glossary_services.term_create(
        acting_user=steward, glossary=carrier.glossary, name="Logistics partner"
    )
    assert search(corpus, q='"logistics partner"').hits == []

    glossary_services.term_update(acting_user=steward, term=carrier, is_a=[partner.pk])
    assert set(names(search(corpus, q='"logistics partner"'))) == {"shipments", "carrier_rates"}


def test_csv_import_of_new_synonyms_rebuilds_the_listings(corpus):
    glossary = corpus.terms[("healthcare", "Patient")].glossary
    assert search(corpus, q="inpatient").hits == []

    glossary_services.glossary_import_csv(
        acting_user=corpus.stewards["healthcare"],
        glossary=glossary,
        content="name,synonyms\nPatient,subject;inpatient\n",
    )
    assert set(names(search(corpus, q="inpatient"))) == {
        "patient_encounters",
        "prescriptions",
        "vaccination_records",
    }


def test_rebuild_search_command_rebuilds_every_document_in_batches(corpus):
    Listing.objects.update(search_vector=None, name_vector=None, search_text="")
    assert search(corpus, q="sommelier").hits == []

    out = io.StringIO()
    call_command("rebuild_search", "--batch-size", "20", stdout=out)

    total = Listing.objects.count()
    lines = out.getvalue().splitlines()
    assert lines[:3] == [
        f"Rebuilt 20 of {total} listings",
        f"Rebuilt 40 of {total} listings",
        f"Rebuilt {total} of {total} listings",
    ]
    assert re.fullmatch(
        rf"Rebuilt the search documents of {total} listings in [\d.]+ s\.", lines[3]
    )
    assert names(search(corpus, q="sommelier")) == ["wine_pairings"]
    assert "<mark>sommelier</mark>" in search(corpus, q="sommelier").hits[0].snippet


def test_rebuild_task_rebuilds_the_listings_it_is_given(corpus):
    wine = corpus.listing("wine_pairings")
    Listing.objects.filter(pk=wine.pk).update(search_vector=None, name_vector=None)

    assert rebuild_listings_task([str(wine.pk)]) == 1
    assert names(search(corpus, q="sommelier")) == ["wine_pairings"]


# --- Odd input --------------------------------------------------------------------------------

ODD_QUERIES = [
    '"',
    '""',
    '"unbalanced phrase',
    'movie "genre',
    "the of and",
    "a",
    "-",
    "--",
    "-genre",
    "-the",
    "&|!():*<>'\\",
    "genre & movie | !film",
    "movie:*",
    "genre:A",
    "<->",
    "!!",
    "(((",
    "'); DROP TABLE catalog_listing; --",
    "film_category' OR '1'='1",
    "\\x00\\",
    "nul\x00byte",
    "ñandú café",
    "🎬 genre",
    "x" * 5000,
    " ".join(f"word{i}" for i in range(400)),
    "genre " * 200,
    "%s %(q)s {0}",
]


@pytest.mark.parametrize("q", ODD_QUERIES, ids=[repr(q[:20]) for q in ODD_QUERIES])
def test_odd_input_gives_a_result_or_a_message_never_an_error(corpus, q):
    results = search(corpus, q=q)
    assert (results.count > 0) == bool(results.hits)
    assert results.hits or results.notes or results.parsed.tokens
    assert Listing.objects.count() == PUBLISHED + 1  # nothing was dropped


def test_long_queries_are_cut_to_512_characters_with_a_note(corpus):
    results = search(corpus, q="sommelier " + "x" * 1000)
    assert results.parsed.text == ("sommelier " + "x" * 1000)[:MAX_QUERY_LENGTH]
    assert f"Only the first {MAX_QUERY_LENGTH} characters were searched." in results.notes


def test_unbalanced_quote_is_searched_as_a_phrase_with_a_note(corpus):
    results = search(corpus, q='"special features')
    assert names(results) == ["film_category"]
    assert any("quotation mark" in note for note in results.notes)


def test_only_stop_words_are_searched_as_written(corpus):
    results = search(corpus, q="the")
    assert results.hits  # descriptions say "the"
    results = search(corpus, q="movie the")
    assert results.notes == ["Left out common words: the."]
    assert "film_category" in names(results)


def test_nothing_searchable_says_so(corpus):
    results = search(corpus, q="&|!():*<>")
    assert results.hits == [] and results.count == 0
    assert "Nothing in the search could be looked up; type a word to search for." in results.notes


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"domain": "not-a-uuid"}, "domain"),
        ({"project": "1"}, "project"),
        ({"glossary_term": "x"}, "glossary_term"),
        ({"asset_type": "CSV_FILE"}, "asset_type"),
        ({"sort": "popularity"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"page": "600", "page_size": "20"}, "page"),
    ],
)
def test_bad_parameters_name_the_field(params, field):
    with pytest.raises(ValidationError) as error:
        SearchRequest.from_query(query(**params))
    assert list(error.value.message_dict) == [field]


# --- Sorting, pagination, snippets ------------------------------------------------------------


def test_sort_by_name_and_by_date(corpus):
    by_name = search(corpus, q="customer", sort="name", page_size=50)
    assert [h.name.lower() for h in by_name.hits] == sorted(h.name.lower() for h in by_name.hits)
    by_date = search(corpus, q="customer", sort="published", page_size=50)
    assert [h.published_at for h in by_date.hits] == sorted(
        (h.published_at for h in by_date.hits), reverse=True
    )
    assert (
        set(names(by_name))
        == set(names(by_date))
        == set(names(search(corpus, q="customer", page_size=50)))
    )


@pytest.mark.parametrize("sort", ["relevance", "name", "published"])
def test_pages_cover_every_result_once(corpus, sort):
    everything = names(search(corpus, q="daily", sort=sort, page_size=100))
    pages, page = [], 1
    while True:
        results = search(corpus, q="daily", sort=sort, page_size=2, page=page)
        pages.extend(names(results))
        assert results.has_previous == (page > 1)
        if not results.has_next:
            break
        page += 1
    assert pages == everything and len(everything) == len(set(everything)) > 4


def test_pages_of_the_whole_catalog(corpus):
    seen = []
    for page in range(1, 6):
        results = search(corpus, page_size=10, page=page)
        seen.extend(names(results))
        assert results.has_next == (page < 5)
    assert len(seen) == len(set(seen)) == PUBLISHED


def test_a_page_past_the_end_is_empty(corpus):
    results = search(corpus, q="daily", page=40)
    assert results.hits == [] and not results.has_next and results.count > 0


def test_snippets_mark_matches_and_escape_html(corpus):
    hit = search(corpus, q="pwned").hits[0]
    assert hit.technical_name == "close_checklist"
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;alert(&quot;<mark>pwned</mark>&quot;)&lt;/script&gt;" in hit.snippet
    assert str(hit.snippet).count("<mark>") == str(hit.snippet).count("</mark>") == 1

    scenario = search(corpus, q="movie genre").hits[0]
    assert "<mark>genre</mark>" in scenario.snippet  # category/genre: "genre" is a word
    assert "<mark>movie</mark>" in scenario.snippet


def test_snippet_without_words_is_the_start_of_the_description(corpus):
    hit = search(corpus, q="", domain=corpus.domains["finance"].pk, sort="name").hits[0]
    assert hit.technical_name == "budget_vs_actual"
    assert str(hit.snippet).startswith("Variance between budgeted and actual spend")
    assert "<mark>" not in hit.snippet


# --- The capped count ----------------------------------------------------------------------------


def bulk_listings(project, count: int, words: str):
    """``count`` ACTIVE listings (and their assets) straight in SQL, vectors included."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH a AS (
                INSERT INTO catalog_asset (id, created_at, updated_at, type,
                    external_identifier, technical_name, database_name, schema_name,
                    business_name, description, technical_metadata, content_hash,
                    current_revision, domain_id, project_id)
                SELECT gen_random_uuid(), now(), now(), 'GLUE_TABLE', 'bulk/' || g,
                    'bulk_' || g, 'db', '', '', '', '{}', 'hash', 1, %s, %s
                FROM generate_series(1, %s) AS g
                RETURNING id, technical_name
            )
            INSERT INTO catalog_listing (id, created_at, updated_at, asset_id, domain_id,
                project_id, revision, status, approval_required, name, snapshot,
                published_at, technical_name, asset_type, search_vector, name_vector,
                search_text, glossary_term_ids, form_facets)
            SELECT gen_random_uuid(), now(), now(), a.id, %s, %s, 1, 'ACTIVE', true,
                a.technical_name, '{}', %s, a.technical_name, 'GLUE_TABLE',
                to_tsvector('english', %s), to_tsvector('english', a.technical_name),
                %s, '{}', '{}'
            FROM a
            """,
            [
                project.domain_id,
                project.pk,
                count,
                project.domain_id,
                project.pk,
                timezone.now(),
                words,
                words,
            ],
        )
        cursor.execute("ANALYZE catalog_listing")


def test_counts_past_ten_thousand_are_capped_and_say_so(corpus):
    bulk_listings(corpus.projects["retail"], COUNT_CAP + 5, "generic inventory snapshot")

    results = search(corpus, q="snapshot")
    assert results.count == COUNT_CAP and results.count_is_estimate
    assert results.count_display == "10,000+"
    assert len(results.hits) == 20 and results.has_next
    assert facet(results, "domain") == {"retail": COUNT_CAP}  # counted in the capped sample
    # A selective query among them is still exact, and finds its listing first.
    assert names(search(corpus, q="sommelier")) == ["wine_pairings"]
    everything = search(corpus)
    assert everything.count_display == "10,000+"


# --- Cost --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        ({"q": "movie genre"}, 3),  # the tsqueries, the page, count and facets
        ({"q": '"special features" -music', "sort": "name"}, 3),
        ({"q": "customer", "domain": "", "page": 2, "page_size": 2}, 3),
        ({}, 2),  # nothing to parse: the page, count and facets
        ({"q": "&|!"}, 0),  # nothing searchable: no query at all
    ],
)
def test_a_search_costs_a_constant_number_of_queries(
    corpus, params, queries, django_assert_num_queries
):
    request = SearchRequest.from_query(query(**params))
    with django_assert_num_queries(queries):
        search_listings(user=corpus.consumer, request=request)
