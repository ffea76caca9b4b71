"""Browser headers: a Content-Security-Policy with no inline script, the other security
headers kept, and protocol-relative Markdown links shown as the external links they are
(issue 9)."""

import re

import pytest
from django.urls import reverse

from meshportal.markdown import render_markdown
from tests.catalog.factories import AssetFactory, DataSourceFactory
from tests.glossary.factories import GlossaryFactory


def _policy(response) -> dict:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


@pytest.mark.django_db
def test_pages_send_a_policy_that_allows_only_the_portals_own_scripts(client_for, owner, project):
    source = DataSourceFactory(project=project)
    asset = AssetFactory(data_source=source)
    glossary = GlossaryFactory(owning_project=project)
    client = client_for(owner)
    for url in (
        "/",
        reverse("form-type-create"),
        reverse("glossary-detail", args=[glossary.pk]),
        reverse("asset-detail", args=[asset.pk]),
        reverse("asset-edit", args=[asset.pk]),
        reverse("token-list"),
        "/api/docs/",
        "/accounts/login/",
    ):
        anonymous = url == "/accounts/login/"
        response = (client_for(None) if anonymous else client).get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        html = response.content.decode()
        inline = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
        assert inline == [], f"{url}: inline script {inline}"
        assert not re.search(r"\son[a-z]+=", html), f"{url}: inline event handler"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_api_sends_the_policy_too(api_client_for, owner):
    response = api_client_for(owner).get("/api/v1/projects/")
    assert _policy(response)["default-src"] == ["'self'"]


@pytest.mark.parametrize(
    "text",
    ["[x](//evil.example/a)", "[x](/\\evil.example/a)", '<a href="//evil.example/a">x</a>'],
)
def test_protocol_relative_links_are_written_as_external_links(text):
    html = str(render_markdown(text))
    assert 'href="https://evil.example/a"' in html
    assert 'rel="noopener noreferrer"' in html


def test_relative_and_absolute_links_stay_as_they_are():
    assert 'href="/glossaries/"' in str(render_markdown("[g](/glossaries/)"))
    assert 'href="https://ok.example"' in str(render_markdown("[o](https://ok.example)"))
