"""The API as a whole: OpenAPI schema and docs, the root, pagination, error bodies."""

import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.projects.factories import DomainFactory

PROJECT_PATHS = {
    "/api/v1/domains/",
    "/api/v1/domains/{id}/",
    "/api/v1/aws-accounts/",
    "/api/v1/aws-accounts/{id}/",
    "/api/v1/environment-profiles/",
    "/api/v1/environment-profiles/{id}/",
    "/api/v1/projects/",
    "/api/v1/projects/{id}/",
    "/api/v1/projects/{project_pk}/members/",
    "/api/v1/projects/{project_pk}/members/{id}/",
    "/api/v1/environments/",
    "/api/v1/environments/{id}/",
    "/api/v1/environments/{id}/retry/",
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/notifications/read-all/",
    "/api/v1/auth/token/",
}


@pytest.fixture
def browser(outsider):
    """A logged-in browser session, as a person reading the docs has."""
    client = Client()
    client.force_login(outsider)
    return client


@pytest.mark.django_db
def test_schema_is_openapi_3_with_every_projects_endpoint(browser):
    response = browser.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Mesh Portal API"
    assert PROJECT_PATHS <= set(schema["paths"])
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])
    # Requests and responses differ where the API says so: a project is created from
    # domain, name and description, and answered with counts and the caller's designation.
    create = schema["paths"]["/api/v1/projects/"]["post"]
    request_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    response_ref = create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    request_schema = schema["components"]["schemas"][request_ref.rsplit("/", 1)[1]]
    response_schema = schema["components"]["schemas"][response_ref.rsplit("/", 1)[1]]
    assert set(request_schema["properties"]) == {"domain", "name", "description"}
    assert {"my_designation", "member_count", "environment_count", "domain_name"} <= set(
        response_schema["properties"]
    )


@pytest.mark.django_db
def test_schema_as_json(browser):
    response = browser.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert json.loads(response.content)["paths"]["/api/v1/environments/{id}/retry/"]["post"]


@pytest.mark.django_db
def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/projects/" in yaml.safe_load(target.read_text())["paths"]


@pytest.mark.django_db
def test_docs_render_from_local_static_files(browser):
    response = browser.get("/api/docs/")

    assert response.status_code == 200
    body = response.content.decode()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", body)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "https://" not in body and "http://" not in body
    # Swagger UI's start-up script is a file of its own (no inline script: CSP).
    script = browser.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/?format=json", "/api/v1/"])
def test_anonymous_gets_no_schema_and_no_api(url):
    response = Client().get(url)

    # TokenAuthentication comes first, so DRF answers 401 with its challenge.
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Authentication credentials were not provided." in response.content.decode()


@pytest.mark.django_db
def test_anonymous_gets_no_docs_but_is_sent_to_sign_in():
    response = Client().get("/api/docs/")

    # A person opening the docs signed out signs in first and comes back.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"
    assert "swagger-ui-bundle" not in response.content.decode()


@pytest.mark.django_db
def test_api_root_links_to_the_api_not_to_pages(outsider):
    client = APIClient()
    client.force_authenticate(outsider)

    root = client.get("/api/v1/").json()

    expected = {
        "domains",
        "aws-accounts",
        "environment-profiles",
        "projects",
        "environments",
        "notifications",
    }
    assert expected <= set(root)
    for name in expected:
        assert root[name] == f"http://testserver/api/v1/{name}/"


@pytest.mark.django_db
def test_lists_are_paginated(outsider):
    for name in ("a", "b", "c"):
        DomainFactory(name=name)
    client = APIClient()
    client.force_authenticate(outsider)

    first = client.get("/api/v1/domains/", {"page_size": 2}).json()
    second = client.get("/api/v1/domains/", {"page_size": 2, "page": 2}).json()
    beyond = client.get("/api/v1/domains/", {"page": 9})

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 3
    assert [d["name"] for d in first["results"]] == ["a", "b"]
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert [d["name"] for d in second["results"]] == ["c"]
    assert second["next"] is None and second["previous"] is not None
    assert beyond.status_code == 404
    assert beyond.json() == {"detail": "Invalid page."}


@pytest.mark.django_db
def test_unknown_api_url_is_a_json_404(outsider):
    client = APIClient()
    client.force_authenticate(outsider)

    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
