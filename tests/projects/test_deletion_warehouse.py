"""Deleting DATA_WAREHOUSE environments, with a real PostgreSQL standing in for the
Redshift cluster: the role provisioning created is dropped, and a role that still holds
privileges fails the deletion with what to revoke."""

import pytest
from django.db import connection

from projects import services
from projects.choices import EnvironmentStatus
from projects.deprovisioning import drop_role_sql, role_exists_sql
from tests.projects.test_provisioning_warehouse import role_exists

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def warehouse(owner, project, warehouse_profile):  # noqa: F811
    environment = services.environment_create(
        acting_user=owner, project=project, profile=warehouse_profile, name="Film Warehouse"
    )
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE, environment.last_error
    yield environment
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS public.mp_deletion_films")
        cursor.execute(f'DROP ROLE IF EXISTS "{environment.redshift_role}"')


def test_deleting_a_warehouse_environment_drops_its_role(owner, warehouse, warehouse_profile):  # noqa: F811
    assert role_exists(warehouse.redshift_role)

    services.environment_delete(acting_user=owner, environment=warehouse)
    warehouse.refresh_from_db()

    assert warehouse.status == EnvironmentStatus.DELETED, warehouse.last_error
    assert not role_exists(warehouse.redshift_role)
    assert set(warehouse.deletion_steps) == {"revoke_grants", "redshift_role"}
    # The profile's own login user is not the portal's: it is still there.
    assert role_exists(warehouse_profile.parameters["user"])


def test_a_role_already_dropped_is_fine(owner, warehouse):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE "{warehouse.redshift_role}"')

    services.environment_delete(acting_user=owner, environment=warehouse)
    warehouse.refresh_from_db()
    assert warehouse.status == EnvironmentStatus.DELETED, warehouse.last_error


def test_a_role_that_still_holds_privileges_fails_with_what_to_revoke(owner, warehouse):
    role = warehouse.redshift_role
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE public.mp_deletion_films (id int)")
        cursor.execute(f'GRANT SELECT ON public.mp_deletion_films TO "{role}"')

    services.environment_delete(acting_user=owner, environment=warehouse)
    warehouse.refresh_from_db()

    assert warehouse.status == EnvironmentStatus.DELETE_FAILED
    assert f"Redshift role: '{role}' still holds privileges" in warehouse.last_error
    assert "mp_deletion_films" in warehouse.last_error
    assert "then retry" in warehouse.last_error
    assert role_exists(role)

    with connection.cursor() as cursor:
        cursor.execute(f'REVOKE SELECT ON public.mp_deletion_films FROM "{role}"')
    services.environment_delete(acting_user=owner, environment=warehouse)
    warehouse.refresh_from_db()
    assert warehouse.status == EnvironmentStatus.DELETED, warehouse.last_error
    assert not role_exists(role)


def test_an_unreachable_cluster_fails_the_deletion(owner, warehouse, monkeypatch):
    monkeypatch.delenv("MESHPORTAL_TEST_CLUSTER_PASSWORD")
    services.environment_delete(acting_user=owner, environment=warehouse)
    warehouse.refresh_from_db()
    assert warehouse.status == EnvironmentStatus.DELETE_FAILED
    assert "MESHPORTAL_TEST_CLUSTER_PASSWORD" in warehouse.last_error
    assert role_exists(warehouse.redshift_role)


def test_redshift_and_postgresql_statements_differ():
    """Only the PostgreSQL text runs above; Redshift's own is checked here by its text."""
    connection.ensure_connection()
    raw = connection.connection
    assert drop_role_sql("mp_ab", is_redshift=True).as_string(raw) == 'DROP ROLE "mp_ab" FORCE'
    assert drop_role_sql("mp_ab", is_redshift=False).as_string(raw) == 'DROP ROLE "mp_ab"'
    assert "svv_roles" in role_exists_sql(True)
    assert "pg_roles" in role_exists_sql(False)
