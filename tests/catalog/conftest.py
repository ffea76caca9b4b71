"""The catalog tests' shared setup: the producer project's lake environment (``environment``
as the pages tests build it, ``lake`` as the API tests do), a Glue data source in it (the
builders are in ``tests/catalog/test_pages.py``), and for imports moto's Glue with the
scenario's data lake and a data source over it. A module that needs another one defines
its own fixture of the same name."""

import pytest

from meshportal.demo import seed_aws
from tests.catalog.factories import create_glue_source
from tests.catalog.test_pages import make_data_source, make_environment
from tests.cluster import cluster_params, warehouse_profile  # noqa: F401 (fixtures)
from tests.projects.factories import EnvironmentFactory


@pytest.fixture
def environment(project, profile):
    return make_environment(project, profile)


@pytest.fixture
def lake(project, profile):
    """The producer project's ACTIVE DATA_LAKE environment, named "lake"."""
    return EnvironmentFactory(project=project, profile=profile, name="lake")


@pytest.fixture
def data_source(project, environment):
    return make_data_source(project, environment)


@pytest.fixture
def glue(aws):
    """moto with the scenario's data lake (`curatedzonedb` and its three tables)."""
    seed_aws()
    return aws.client("glue")


@pytest.fixture
def source(owner, project, environment):
    """A Glue data source over curatedzonedb in the lake environment."""
    return create_glue_source(owner, project, environment)
