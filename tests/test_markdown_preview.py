"""The live preview of Markdown descriptions: one endpoint renders what a person types
through the pages' own sanitiser; every Markdown description field carries the preview."""

import pytest
from django.urls import reverse

from meshportal.limits import DESCRIPTION_MAX_CHARS

pytestmark = pytest.mark.django_db
PREVIEW = reverse("markdown-preview")


def test_preview_renders_the_field_named_in_the_address(client_for, owner):
    client = client_for(owner)
    response = client.post(
        f"{PREVIEW}?field=columns-3-description",
        {"columns-3-description": "A **bold** [link](https://example.com) <script>x()</script>"},
    )
    assert response.status_code == 200
    assert response.content.decode() == (
        '<p>A <strong>bold</strong> <a href="https://example.com" rel="noopener noreferrer">'
        "link</a> </p>"
    )
    assert response["Cache-Control"].startswith("max-age=0")

    empty = client.post(f"{PREVIEW}?field=description", {"description": "  \n"})
    assert empty.content.decode() == '<p class="muted">Nothing to preview yet.</p>'


def test_preview_refuses_missing_text_and_text_over_the_limit(client_for, owner):
    client = client_for(owner)
    missing = client.post(f"{PREVIEW}?field=description", {"other": "x"})
    assert missing.status_code == 400
    assert "Nothing to preview: no text was sent." in missing.content.decode()
    assert client.post(PREVIEW, {"description": "x"}).status_code == 400
    too_long = client.post(
        f"{PREVIEW}?field=description", {"description": "x" * (DESCRIPTION_MAX_CHARS + 1)}
    )
    assert too_long.status_code == 400
    assert (
        f"Too long to preview: use at most {DESCRIPTION_MAX_CHARS:,} characters "
        f"(this has {DESCRIPTION_MAX_CHARS + 1:,})." in too_long.content.decode()
    )
    assert client.get(f"{PREVIEW}?field=description").status_code == 405


def test_preview_needs_a_signed_in_user(client):
    response = client.post(f"{PREVIEW}?field=description", {"description": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ("project-create", "description"),
        ("glossary-create", "description"),
        ("form-type-create", "description"),
    ],
)
def test_markdown_description_fields_carry_the_live_preview(
    client_for, owner, project, page, field
):
    html = client_for(owner).get(reverse(page)).content.decode()
    assert f'hx-post="{PREVIEW}?field={field}"' in html
    assert 'hx-trigger="input changed delay:300ms"' in html
    assert f'hx-params="{field}"' in html
    assert f'hx-target="#id_{field}_preview"' in html
    assert f'<div class="markdown markdown-preview__body" id="id_{field}_preview"' in html
