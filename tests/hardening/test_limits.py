"""Every input has a limit, and going past it is a clear 400 naming it (issue 9,
"Memory exhaustion": descriptions, terms per import, synonyms, form fields, filter
expressions, columns per update, terms per asset)."""

from glossary.models import GlossaryTerm
from meshportal.limits import (
    COLUMNS_PER_UPDATE_MAX,
    CSV_IMPORT_MAX_TERMS,
    DESCRIPTION_MAX_CHARS,
    FIELDS_PER_FORM_TYPE_MAX,
    FILTER_EXPRESSIONS_MAX,
    SYNONYMS_PER_TERM_MAX,
    TERMS_PER_TARGET_MAX,
)
from tests.catalog.factories import AssetFactory, DataSourceFactory
from tests.glossary.factories import FormTypeFactory, GlossaryTermFactory
from tests.hardening.conftest import csv_import

API = "/api/v1"


def _json_400(response):
    assert response.status_code == 400, response.content[:300]
    return response.json()


def test_csv_import_term_count_and_description_limits(api_client_for, owner, glossary):
    many = "name\n" + "".join(f"T{n}\n" for n in range(CSV_IMPORT_MAX_TERMS + 1))
    response = csv_import(api_client_for(owner), glossary, many.encode())
    assert response.status_code == 400
    assert f"{CSV_IMPORT_MAX_TERMS:,} terms" in str(response.json())
    long = f'name,long_description\nFilm,"{"x" * (DESCRIPTION_MAX_CHARS + 1)}"\n'
    response = csv_import(api_client_for(owner), glossary, long.encode())
    assert response.status_code == 400
    assert "Line 2: long description" in str(response.json())
    assert not GlossaryTerm.objects.exists()


# --- Description and count limits --------------------------------------------------------

TOO_LONG = "x" * (DESCRIPTION_MAX_CHARS + 1)


def test_description_limits(api_client_for, owner, project, domain, glossary):
    api = api_client_for(owner)
    term = GlossaryTermFactory(glossary=glossary)
    form_type = FormTypeFactory(owning_project=project)
    for url, field in (
        (f"{API}/projects/{project.pk}/", "description"),
        (f"{API}/glossaries/{glossary.pk}/", "description"),
        (f"{API}/glossary-terms/{term.pk}/", "long_description"),
        (f"{API}/form-types/{form_type.pk}/", "description"),
    ):
        body = _json_400(api.patch(url, {field: TOO_LONG}, format="json"))
        assert f"{DESCRIPTION_MAX_CHARS:,} characters" in str(body[field]), url
    created = api.post(
        f"{API}/projects/", {"domain": str(domain.pk), "name": "P", "description": TOO_LONG}
    )
    assert "description" in _json_400(created)


def test_count_limits(api_client_for, owner, project, glossary):
    api = api_client_for(owner)
    term = GlossaryTermFactory(glossary=glossary)
    synonyms = [f"s{n}" for n in range(SYNONYMS_PER_TERM_MAX + 1)]
    body = _json_400(api.patch(f"{API}/glossary-terms/{term.pk}/", {"synonyms": synonyms}))
    assert "synonyms" in body
    form_type = FormTypeFactory(owning_project=project)
    fields = [{"label": f"F{n}", "type": "STRING"} for n in range(FIELDS_PER_FORM_TYPE_MAX + 1)]
    body = _json_400(api.patch(f"{API}/form-types/{form_type.pk}/", {"fields": fields}))
    assert "fields" in body
    source = DataSourceFactory(project=project)
    filters = [
        {"type": "INCLUDE", "expression": f"t{n}"} for n in range(FILTER_EXPRESSIONS_MAX + 1)
    ]
    body = _json_400(api.patch(f"{API}/data-sources/{source.pk}/", {"filter_expressions": filters}))
    assert "filter_expressions" in body
    asset = AssetFactory(data_source=source, columns=1)
    columns = [{"name": "column_1"}] * (COLUMNS_PER_UPDATE_MAX + 1)
    body = _json_400(api.patch(f"{API}/assets/{asset.pk}/columns/", columns, format="json"))
    assert "columns" in body
    terms = [str(term.pk)] * (TERMS_PER_TARGET_MAX + 1)
    body = _json_400(api.patch(f"{API}/assets/{asset.pk}/", {"glossary_terms": terms}))
    assert "glossary_terms" in body
