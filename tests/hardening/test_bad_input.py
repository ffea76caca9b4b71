"""Input a hostile client sends must be a clear 400 (or a JSON 404), never a 500
(issue 9, "500s found by hand")."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.services.data_sources import clean_filter_expressions
from glossary.models import GlossaryTerm
from tests.catalog.factories import DataSourceFactory
from tests.hardening.conftest import csv_import

API = "/api/v1"
DEEP = "[" * 5000 + "]" * 5000


def _json_400(response):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- Deeply nested JSON ------------------------------------------------------------------


def test_deep_json_is_a_400_on_the_anonymous_token_endpoint(client, settings):
    settings.DEBUG = True  # the debug page used to be what came back
    response = client.post(f"{API}/auth/token/", DEEP, content_type="application/json")
    assert "nested more than" in _json_400(response)["detail"]


def test_deep_json_is_a_400_on_a_write_endpoint(api_client_for, owner, project):
    response = api_client_for(owner).generic(
        "PATCH", f"{API}/projects/{project.pk}/", DEEP, content_type="application/json"
    )
    assert "nested more than" in _json_400(response)["detail"]


def test_shallow_json_still_parses(api_client_for, owner, project):
    response = api_client_for(owner).patch(
        f"{API}/projects/{project.pk}/", {"description": "[[[{}]]] in text"}, format="json"
    )
    assert response.status_code == 200


# --- NUL characters ----------------------------------------------------------------------


def test_nul_in_a_json_body_is_a_400(api_client_for, owner, project):
    source = DataSourceFactory(project=project)
    response = api_client_for(owner).patch(
        f"{API}/data-sources/{source.pk}/",
        {"filter_expressions": [{"type": "INCLUDE", "expression": "film\x00_*"}]},
        format="json",
    )
    assert "NUL" in _json_400(response)["detail"]


def test_nul_in_filter_expressions_is_refused_by_the_service():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="NUL"):
        clean_filter_expressions([{"type": "INCLUDE", "expression": "a\x00b"}])


def test_nul_in_a_search_form_filter_is_a_400(api_client_for, client_for, outsider):
    for key, value in (("form.own%00er", "x"), ("form.owner", "x%00y")):
        response = api_client_for(outsider).get(f"{API}/search/?q=film&{key}={value}")
        assert "NUL" in _json_400(response)["detail"]
    page = client_for(outsider).get("/search/?q=film&form.own%00er=x")
    assert page.status_code == 400


def test_nul_in_a_csv_import_is_a_400_api_and_page(api_client_for, client_for, owner, glossary):
    response = csv_import(api_client_for(owner), glossary, b"name\nFi\x00lm\n")
    assert response.status_code == 400
    assert "NUL" in str(response.json())
    upload = SimpleUploadedFile("terms.csv", b"name\nFi\x00lm\n", content_type="text/csv")
    page = client_for(owner).post(reverse("glossary-import", args=[glossary.pk]), {"file": upload})
    assert page.status_code == 400
    assert "NUL" in page.content.decode()
    assert not GlossaryTerm.objects.exists()


def test_a_csv_field_over_the_csv_module_limit_is_a_400(api_client_for, owner, glossary):
    content = b'name,long_description\nFilm,"' + b"x" * 140_000 + b'"\n'
    response = csv_import(api_client_for(owner), glossary, content)
    assert response.status_code == 400
    assert "Line 2" in str(response.json())


# --- Unknown API paths -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v2/", "/api/whatever"])
def test_unknown_api_paths_answer_json_404(api_client_for, outsider, settings, path):
    settings.DEBUG = True
    response = api_client_for(outsider).get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_missing_trailing_slash_still_redirects(api_client_for, outsider):
    response = api_client_for(outsider).get("/api/v1/projects?page=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/projects/?page=1"
