"""The stand-in Redshift cluster of the tests: the test database itself (Redshift speaks
the Postgres protocol)."""

from django.db import connection

PASSWORD_ENV = "MESHPORTAL_TEST_CLUSTER_PASSWORD"


def stand_in_cluster_params(monkeypatch) -> dict:
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
