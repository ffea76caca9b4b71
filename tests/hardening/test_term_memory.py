"""A domain with many terms and long descriptions must not make the term paths fetch
those descriptions once per term (issue 9: 20,000 terms × a 1 MB glossary description
took a web process to 23 GB). Every path here is bounded in queries and in bytes
PostgreSQL sends back, whatever the descriptions hold."""

import pytest
from django.urls import reverse

from catalog.import_enrichment import RunEnrichment
from glossary.models import Glossary, GlossaryTerm
from glossary.services import term_index
from tests.catalog.factories import AssetFactory, DataSourceFactory
from tests.fetch_meter import fetch_meter
from tests.glossary.factories import GlossaryFactory, GlossaryTermFactory

TERMS = 300
GLOSSARY_DESCRIPTION = "g" * 100_000  # stored past today's limit, as old rows may be
TERM_DESCRIPTION = "t" * 20_000
# What a request may fetch here: the term names and ids (a few dozen kB), the page's own
# rows and at most a few descriptions (the glossary's once, the term's own); before the
# fix each path fetched the glossary's description once per term (30 MB here).
BYTES_BOUND = 400_000
QUERIES_BOUND = 60


@pytest.fixture
def big_domain(project, contributor):
    glossary = GlossaryFactory(owning_project=project, name="Vocabulary")
    Glossary.objects.filter(pk=glossary.pk).update(description=GLOSSARY_DESCRIPTION)
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(
            glossary=glossary,
            name=f"Word {n}",
            short_description="short",
            long_description=TERM_DESCRIPTION,
            synonyms=[f"syn {n}"],
        )
        for n in range(TERMS)
    )
    GlossaryTermFactory(glossary=glossary, name="Film", long_description=TERM_DESCRIPTION)
    source = DataSourceFactory(project=project)
    asset = AssetFactory(data_source=source, technical_name="film", columns=5)
    asset.glossary_terms.add(GlossaryTerm.objects.get(name="Word 1"))
    return {"glossary": glossary, "asset": asset, "source": source, "user": contributor}


def _check(meter, what):
    assert meter.count <= QUERIES_BOUND, f"{what}: {meter.count} queries"
    assert meter.bytes_fetched <= BYTES_BOUND, f"{what}: biggest {meter.biggest()}"


def test_term_index_holds_names_not_descriptions(big_domain, project):
    with fetch_meter() as meter:
        index = term_index(project.domain_id)
    assert meter.count == 1
    assert len(index) == 2 * TERMS + 1
    _check(meter, "term index")


def test_asset_business_name_edit_api(big_domain, api_client_for):
    asset = big_domain["asset"]
    client = api_client_for(big_domain["user"])
    with fetch_meter() as meter:
        response = client.patch(
            f"/api/v1/assets/{asset.pk}/", {"business_name": "Film"}, format="json"
        )
    assert response.status_code == 200, response.content[:500]
    assert asset.suggestions.filter(glossary_term__name="Film").exists()
    _check(meter, "business-name edit")


def test_asset_edit_and_column_pages(big_domain, client_for):
    asset = big_domain["asset"]
    client = client_for(big_domain["user"])
    for name in ("asset-edit", "asset-columns-edit", "asset-detail"):
        with fetch_meter() as meter:
            response = client.get(reverse(name, args=[asset.pk]))
        assert response.status_code == 200
        if name != "asset-detail":
            # The term picker asks the server as one types instead of listing every term.
            options_url = reverse("asset-term-options", args=[asset.pk])
            assert options_url.encode() in response.content
        _check(meter, name)
    with fetch_meter() as meter:
        response = client.get(reverse("asset-term-options", args=[asset.pk]), {"q": "Word 299"})
    assert response.status_code == 200
    assert "Word 299" in [term["name"] for term in response.json()["terms"]]
    _check(meter, "term picker search")
    with fetch_meter() as meter:
        response = client.post(
            reverse("asset-edit", args=[asset.pk]),
            {"business_name": "Film", "description": "", "glossary_terms": []},
        )
    assert response.status_code == 302
    _check(meter, "asset edit POST")


def test_term_pages(big_domain, client_for, owner):
    glossary = big_domain["glossary"]
    term = GlossaryTerm.objects.get(name="Word 2")
    client = client_for(owner)
    for url in (
        reverse("term-create", args=[glossary.pk]),
        reverse("term-edit", args=[term.pk]),
    ):
        with fetch_meter() as meter:
            response = client.get(url)
        assert response.status_code == 200
        _check(meter, url)


def test_import_run_enrichment(big_domain):
    source = big_domain["source"]
    asset = big_domain["asset"]
    with fetch_meter() as meter:
        enrichment = RunEnrichment.for_source(source)
        enrichment.apply([asset.pk], [])
    assert asset.suggestions.filter(glossary_term__name="Film").exists()
    _check(meter, "run enrichment")


def test_asset_form_editor_with_a_glossary_term_field(big_domain, client_for, project):
    """A GLOSSARY_TERM form field lists its glossary's terms by name: the editor must not
    fetch the glossary's description once per term."""
    from glossary.choices import FieldType
    from tests.catalog.factories import AssetFormFactory
    from tests.glossary.factories import FormTypeFactory

    form_type = FormTypeFactory(
        owning_project=project,
        fields=[
            {
                "name": "topic",
                "label": "Topic",
                "type": FieldType.GLOSSARY_TERM,
                "glossary": big_domain["glossary"],
            }
        ],
    )
    asset = big_domain["asset"]
    AssetFormFactory(asset=asset, form_type=form_type, values={})
    client = client_for(big_domain["user"])
    with fetch_meter() as meter:
        response = client.get(reverse("asset-form-edit", args=[asset.pk, form_type.pk]))
    assert response.status_code == 200
    assert b"Word 299" in response.content
    _check(meter, "asset form editor")
