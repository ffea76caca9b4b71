"""Fixtures of the subscriptions tests: the film team's listing and the marketing team's
project that asks for it (scenario steps 8, 9 and 12).

Personas from tests/conftest.py keep their meaning here: ``owner`` owns the producing
project, ``steward`` stewards its domain, ``contributor``/``viewer`` are film-team
members, ``outsider`` is in nothing. The consumer side adds ``consumer`` (OWNER of the
subscriber project), ``consumer_contributor`` and ``consumer_viewer`` (all defined in
tests/conftest.py, shared with the sharing tests).
"""

import pytest

from tests.catalog.factories import film_listing
from tests.conftest import REASON  # noqa: F401 — the tests import it from here


@pytest.fixture
def listing(project):
    return film_listing(project)
