"""DATA_WAREHOUSE environments, with a real PostgreSQL standing in for the Redshift cluster."""

import psycopg2
import pytest
from django.db import connection

from projects import services
from projects.choices import EnvironmentStatus

pytestmark = pytest.mark.django_db(transaction=True)


def role_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        return cursor.fetchone() is not None


def test_warehouse_environment_creates_its_grant_role(owner, project, warehouse_profile):
    env = services.environment_create(
        acting_user=owner, project=project, profile=warehouse_profile, name="Film Warehouse"
    )
    env.refresh_from_db()
    try:
        assert env.status == EnvironmentStatus.ACTIVE, env.last_error
        assert env.redshift_database == warehouse_profile.parameters["database"]
        assert env.redshift_role.startswith("mp_")
        assert role_exists(env.redshift_role)
        assert set(env.provisioning_steps) == {"cluster_connection", "redshift_role"}

        # Provisioning again accepts the role that already exists.
        from projects.models import Environment
        from projects.tasks import provision_environment

        Environment.objects.filter(pk=env.pk).update(status=EnvironmentStatus.CREATING)
        assert provision_environment(str(env.pk)) == "active"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP ROLE IF EXISTS "{env.redshift_role}"')


def failed_environment(owner, project, profile, name, *fragments):
    """An environment created on ``profile`` that failed, ``last_error`` holding each
    fragment."""
    env = services.environment_create(
        acting_user=owner, project=project, profile=profile, name=name
    )
    env.refresh_from_db()
    assert env.status == EnvironmentStatus.CREATE_FAILED
    for fragment in fragments:
        assert fragment in env.last_error, env.last_error
    return env


def test_unset_password_variable_fails_with_what_to_set(
    owner, project, warehouse_profile, monkeypatch
):
    monkeypatch.delenv("MESHPORTAL_TEST_CLUSTER_PASSWORD")
    failed_environment(
        owner,
        project,
        warehouse_profile,
        "No password",
        "MESHPORTAL_TEST_CLUSTER_PASSWORD",
        "is not set",
    )


def test_unreachable_cluster_fails_with_the_connection_named(owner, project, warehouse_profile):
    warehouse_profile.parameters = {**warehouse_profile.parameters, "database": "no_such_database"}
    warehouse_profile.save()
    failed_environment(
        owner, project, warehouse_profile, "Wrong database", "Could not connect", "no_such_database"
    )
    with pytest.raises(psycopg2.OperationalError):  # the message matches reality
        psycopg2.connect(
            host=warehouse_profile.parameters["host"],
            port=warehouse_profile.parameters["port"],
            dbname="no_such_database",
            user=warehouse_profile.parameters["user"],
        )
