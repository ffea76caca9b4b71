"""The suggestion statement (catalog.search.suggestions) on a catalog made for it: several
words find every listing holding them all when one is rare, whichever is typed first or
longest; a sample is read only when every word is common; what is suggested is what
search shows (ACTIVE listings, enabled terms of enabled glossaries); every limit holds;
one statement per request whatever is typed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import ListingStatus
from catalog.models import Listing
from catalog.search import suggestions
from catalog.search.documents import rebuild_listing_documents
from glossary.choices import GlossaryStatus
from tests.catalog.factories import AssetFactory, DataSourceFactory, ListingFactory
from tests.glossary.factories import GlossaryFactory, GlossaryTermFactory
from tests.projects.factories import UserFactory

pytestmark = pytest.mark.django_db
SUGGEST = "/search/suggest/"

# (business name, technical name): "customer" is in eight names, "kiwi" in three.
NAMES = [
    ("Customer accounts", "customer_accounts"),
    ("Customer orders", "customer_orders"),
    ("Customer order lines", "customer_order_lines"),
    ("Customer returns by region", "customer_returns_by_region"),
    ("Customer churn scores", "customer_churn_scores"),
    ("Customer loyalty tiers", "customer_loyalty_tiers"),
    ("Kiwi customer ledger", "kiwi_customer_ledger"),
    ("Daily customer kiwi imports", "daily_customer_kiwi_imports"),
    ("Kiwi harvest", "kiwi_harvest"),
    ("Custard recipes", "custard_recipes"),
    ("Accustomed readers", "accustomed_readers"),
]


def _publish(source, business, technical, status=ListingStatus.ACTIVE) -> Listing:
    asset = AssetFactory(data_source=source, technical_name=technical, business_name=business)
    return ListingFactory(asset=asset, status=status)


@pytest.fixture
def catalog():
    """The listings of NAMES, published, with their search documents and name words."""
    source = DataSourceFactory()
    listings = {tech: _publish(source, name, tech) for name, tech in NAMES}
    listings["old_customer_kiwi"] = _publish(
        source, "Old customer kiwi", "old_customer_kiwi", status=ListingStatus.INACTIVE
    )
    rebuild_listing_documents(Listing.objects.filter(status=ListingStatus.ACTIVE))
    return listings


@pytest.fixture
def reader(client):
    client.force_login(UserFactory())
    return client


def listing_labels(client, q, **params) -> list[str]:
    response = client.get(SUGGEST, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [s["label"] for s in response.json()["suggestions"] if s["kind"] == "listing"]


def test_every_typed_word_must_start_a_word_of_the_name(reader, catalog):
    assert listing_labels(reader, "cust ord") == ["Customer orders", "Customer order lines"]
    assert listing_labels(reader, "order_lines cus") == ["Customer order lines"]
    assert listing_labels(reader, "tomer") == []  # inside a word: no
    assert listing_labels(reader, "cust zzz") == []
    # The same prefix twice, or a prefix of another typed word, asks nothing more.
    assert listing_labels(reader, "cust customer orders") == ["Customer orders"]


def test_the_rarest_word_drives_and_finds_every_listing_with_all_words(
    reader, catalog, monkeypatch
):
    # "customer" has more name words than the bound (it is common), "kiwi" fewer: kiwi's
    # entries are walked in full however small the sample, so nothing is missed, in
    # whichever order or length the words come.
    monkeypatch.setattr(suggestions, "COUNT_BOUND", 5)
    monkeypatch.setattr(suggestions, "SAMPLE", 1)
    both = ["Kiwi customer ledger", "Daily customer kiwi imports"]
    assert listing_labels(reader, "customer kiwi") == both
    assert listing_labels(reader, "kiw custo") == both
    # The inactive "Old customer kiwi" is never among them.
    assert listing_labels(reader, "old kiwi") == []


def test_only_when_every_word_is_common_is_a_sample_read(reader, catalog, monkeypatch):
    every = listing_labels(reader, "customer c")
    assert len(every) == 8 and all("ustomer" in label for label in every)
    monkeypatch.setattr(suggestions, "COUNT_BOUND", 2)
    monkeypatch.setattr(suggestions, "SAMPLE", 3)
    sampled = listing_labels(reader, "customer c")
    # Both words are common now: at most SAMPLE name words are read, all still matching.
    assert 1 <= len(sampled) <= 3 and set(sampled) <= set(every)


def test_only_what_search_shows_is_suggested(reader, catalog):
    """ACTIVE listings only (search_listings' rule), and enabled terms of enabled
    glossaries (what can be attached and searched for)."""
    glossary = GlossaryFactory(name="Fruit vocabulary")
    GlossaryTermFactory(glossary=glossary, name="Kiwi fruit")
    GlossaryTermFactory(glossary=glossary, name="Kiwi berry", status=GlossaryStatus.DISABLED)
    hidden = GlossaryFactory(name="Old vocabulary", status=GlossaryStatus.DISABLED)
    GlossaryTermFactory(glossary=hidden, name="Kiwi vine")

    body = reader.get(SUGGEST, {"q": "kiwi"}).json()["suggestions"]
    assert [(s["kind"], s["label"]) for s in body] == [
        ("listing", "Kiwi harvest"),
        ("listing", "Kiwi customer ledger"),
        ("listing", "Daily customer kiwi imports"),
        ("term", "Kiwi fruit"),
    ]
    term = body[-1]
    assert term["detail"] == "Glossary term · Fruit vocabulary"
    assert term["url"].startswith("/search/?glossary_term=")
    listing = catalog["kiwi_harvest"]
    assert body[0] == {
        "kind": "listing",
        "label": "Kiwi harvest",
        "detail": "kiwi_harvest",
        "url": f"/listings/{listing.pk}/",
    }


def test_term_text_is_matched_literally(reader):
    glossary = GlossaryFactory()
    GlossaryTermFactory(glossary=glossary, name="Net_rate")
    GlossaryTermFactory(glossary=glossary, name="Netxrate")
    GlossaryTermFactory(glossary=glossary, name="100% share")
    GlossaryTermFactory(glossary=glossary, name="1000 share")

    def terms(q):
        body = reader.get(SUGGEST, {"q": q}).json()["suggestions"]
        return [s["label"] for s in body if s["kind"] == "term"]

    assert terms("net_r") == ["Net_rate"]  # "_" is no wildcard
    assert terms("100%") == ["100% share"]  # nor "%"


def test_limits_hold_and_one_statement_answers_whatever_is_typed(reader, catalog):
    source = DataSourceFactory()
    extra = [_publish(source, f"Customer extract {n}", f"customer_extract_{n}") for n in range(20)]
    rebuild_listing_documents(extra)
    GlossaryTermFactory(name="Customer", glossary=GlossaryFactory())

    body = reader.get(SUGGEST, {"q": "customer", "limit": "20"}).json()["suggestions"]
    assert len(body) == 20
    assert [s["kind"] for s in body].count("term") == 1
    assert len(listing_labels(reader, "customer", limit="1")) == 0  # the term takes it
    # No term holds "customer extract": all five are listings.
    assert len(listing_labels(reader, "customer extract", limit="5")) == 5

    # At most five words are read: a sixth that matches nothing changes nothing.
    five = "customer extract c e cu"
    assert listing_labels(reader, five) == listing_labels(reader, f"{five} zzz")
    # A word longer than a stored name word is cut to its length, not refused.
    assert listing_labels(reader, "x" * 80) == []

    for q in ("cu", "customer extract", "customer kiwi daily imports ledger", "zzqxj"):
        with CaptureQueriesContext(connection) as captured:
            response = reader.get(SUGGEST, {"q": q})
        assert response.status_code == 200
        # The sign-in's session and user, then the one suggestion statement.
        assert len(captured) == 3, [c["sql"][:60] for c in captured]
    with CaptureQueriesContext(connection) as captured:
        reader.get(SUGGEST, {"q": "c"})  # too short: no statement at all
    assert len(captured) == 2
