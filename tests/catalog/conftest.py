"""The catalog tests' shared setup: the producer project's lake environment and a Glue
data source in it (the builders are in ``tests/catalog/test_pages.py``). A module that
needs another environment defines its own fixture of the same name."""

import pytest

from tests.catalog.test_pages import make_data_source, make_environment


@pytest.fixture
def environment(project, profile):
    return make_environment(project, profile)


@pytest.fixture
def data_source(project, environment):
    return make_data_source(project, environment)
