"""The stand-in Redshift cluster of the tests: the test database itself (Redshift speaks
the Postgres protocol). tests/catalog/conftest.py and tests/projects/conftest.py
offer its fixtures to their tests."""

import pytest
from django.db import connection

from projects.choices import Blueprint
from tests.projects.factories import EnvironmentProfileFactory

PASSWORD_ENV = "MESHPORTAL_TEST_CLUSTER_PASSWORD"


@pytest.fixture
def cluster_params(monkeypatch) -> dict:
    """A DATA_WAREHOUSE profile's connection settings for the stand-in cluster; the
    password travels in an environment variable, as a profile's does."""
    db = connection.settings_dict
    monkeypatch.setenv(PASSWORD_ENV, db["PASSWORD"] or "")
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "database": db["NAME"],
        "user": db["USER"],
        "password_env": PASSWORD_ENV,
    }


@pytest.fixture
def warehouse_profile(domain, aws_account, cluster_params):
    """The domain's DATA_WAREHOUSE profile on the stand-in cluster."""
    return EnvironmentProfileFactory(
        domain=domain,
        aws_account=aws_account,
        name="DataWarehouseProfile",
        blueprint=Blueprint.DATA_WAREHOUSE,
        parameters=cluster_params,
    )
