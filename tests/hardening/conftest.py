"""The hardening tests' shared setup: the project's "Media" glossary and a raw CSV import
into it (the body as sent, whatever it holds)."""

import pytest

from tests.permissions import API


@pytest.fixture
def glossary(media):
    return media


def csv_import(api, glossary, content: bytes):
    """POST ``content`` as the CSV body of the glossary's import."""
    return api.generic(
        "POST", f"{API}/glossaries/{glossary.pk}/import/", content, content_type="text/csv"
    )
