"""Redshift data sources, with a real PostgreSQL standing in for the cluster.

As in tests/projects/test_provisioning_warehouse.py, a DATA_WAREHOUSE profile points at
the test database itself (password from an environment variable). The import reads
``information_schema`` of the schema `film_dw`, created here with tables and a view and
dropped afterwards.
"""

import json
import os

import pytest
from django.db import connection

from catalog import services
from catalog.choices import ActivityStatus, AssetType, DataSourceType, RunErrorType, RunStatus
from catalog.models import Asset, AssetRevision, RunActivity, Suggestion
from tests.catalog.factories import assert_run_failed, counts, run_now
from tests.catalog.test_import import activities
from tests.projects.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = "film_dw"


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def film_dw():
    """The producer's warehouse schema: two tables and a view."""
    execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    execute(
        f"""
        CREATE SCHEMA {SCHEMA};
        CREATE TABLE {SCHEMA}.film (
            film_id integer NOT NULL,
            title varchar(255) NOT NULL,
            rental_rate numeric(4, 2),
            rating char(5),
            last_update timestamp
        );
        CREATE TABLE {SCHEMA}.film_category (category_id smallint, film_id integer);
        CREATE VIEW {SCHEMA}.film_list AS
            SELECT f.film_id, f.title, f.rental_rate FROM {SCHEMA}.film f;
        """
    )
    yield SCHEMA
    execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


@pytest.fixture
def warehouse(project, warehouse_profile):
    return EnvironmentFactory(project=project, profile=warehouse_profile, name="Film Warehouse")


def create_redshift_source(
    owner, project, environment, *, schema_name=SCHEMA, database_name=None, **kw
):
    return services.data_source_create(
        acting_user=owner,
        project=project,
        environment=environment,
        name="Film warehouse",
        type=DataSourceType.REDSHIFT,
        database_name=database_name or connection.settings_dict["NAME"],
        schema_name=schema_name,
        **kw,
    )


@pytest.fixture
def source(owner, project, warehouse):
    return create_redshift_source(owner, project, warehouse)


def identifier(params, table: str) -> str:
    return f"redshift://{params['host']}/{params['database']}/{SCHEMA}/{table}"


def assert_nothing_written():
    assert not Asset.objects.exists()
    assert not RunActivity.objects.exists()
    assert not AssetRevision.objects.exists()


def test_tables_and_views_of_the_schema_are_imported_with_their_column_types(
    film_dw, owner, source, cluster_params
):
    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    assert (run.total, run.added, run.failed) == (3, 3, 0)
    assert {a.status for a in activities(run).values()} == {ActivityStatus.SUCCEEDED_CREATED}
    assets = {a.technical_name: a for a in Asset.objects.all()}
    assert {name: a.type for name, a in assets.items()} == {
        "film": AssetType.REDSHIFT_TABLE,
        "film_category": AssetType.REDSHIFT_TABLE,
        "film_list": AssetType.REDSHIFT_VIEW,
    }
    for name, asset in assets.items():
        assert asset.external_identifier == identifier(cluster_params, name)
        assert (asset.database_name, asset.schema_name) == (cluster_params["database"], SCHEMA)
        assert asset.current_revision == 1
    assert assets["film"].technical_metadata == {"table_type": "BASE TABLE"}
    assert assets["film_list"].technical_metadata == {"table_type": "VIEW"}

    film = list(assets["film"].columns.order_by("position"))
    assert [(c.name, c.data_type, c.position) for c in film] == [
        ("film_id", "integer", 1),
        ("title", "character varying(255)", 2),
        ("rental_rate", "numeric(4,2)", 3),
        ("rating", "character(5)", 4),
        ("last_update", "timestamp without time zone", 5),
    ]
    view = list(assets["film_list"].columns.order_by("position"))
    assert [(c.name, c.data_type) for c in view] == [
        ("film_id", "integer"),
        ("title", "character varying(255)"),
        ("rental_rate", "numeric(4,2)"),
    ]
    revision = assets["film"].revisions.get()
    assert revision.changes == [
        f"Imported from Amazon Redshift {cluster_params['database']}.film_dw"
    ]
    assert Suggestion.objects.get(asset=assets["film_list"], column=None).value == "Film List"


def test_importing_the_schema_again_changes_nothing(film_dw, owner, source):
    run_now(owner, source)

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert (run.added, run.updated, run.unchanged) == (0, 0, 3)
    assert AssetRevision.objects.count() == 3


def test_a_column_added_and_a_view_dropped_in_the_warehouse(film_dw, owner, source):
    run_now(owner, source)
    execute(f"ALTER TABLE {SCHEMA}.film_category ADD COLUMN last_update timestamptz")
    execute(f"DROP VIEW {SCHEMA}.film_list")

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS
    assert (run.total, run.updated, run.unchanged, run.archived) == (2, 1, 1, 1)
    done = activities(run)
    assert done["film_category"].status == ActivityStatus.SUCCEEDED_UPDATED
    assert done["film_list"].status == ActivityStatus.SKIPPED_ARCHIVED
    category = Asset.objects.get(technical_name="film_category")
    assert category.revisions.get(revision=2).changes == [
        "Column last_update added (timestamp with time zone)"
    ]
    assert category.columns.get(name="last_update").position == 3
    assert Asset.objects.get(technical_name="film_list").archived_at is not None


def test_a_table_without_columns_fails_only_its_activity(film_dw, owner, source):
    execute(f"CREATE TABLE {SCHEMA}.placeholder ()")  # Postgres allows it

    run = run_now(owner, source)

    assert run.status == RunStatus.PARTIALLY_SUCCEEDED
    assert (run.added, run.failed) == (3, 1)
    failed = activities(run)["placeholder"]
    assert failed.status == ActivityStatus.FAILED
    assert failed.message == "Table 'placeholder' has no columns the portal can see."


def test_include_and_exclude_filters_apply_to_redshift_tables(film_dw, owner, project, warehouse):
    source = create_redshift_source(
        owner,
        project,
        warehouse,
        filter_expressions=[
            {"type": "INCLUDE", "expression": "film*"},
            {"type": "EXCLUDE", "expression": "*_list"},
        ],
    )

    run = run_now(owner, source)

    assert set(activities(run)) == {"film", "film_category"}


def test_a_missing_schema_fails_with_resource_not_found(film_dw, owner, project, warehouse):
    source = create_redshift_source(owner, project, warehouse, schema_name="film_mart")

    run = run_now(owner, source)

    assert_run_failed(run, RunErrorType.RESOURCE_NOT_FOUND)
    database = connection.settings_dict["NAME"]
    assert f"Schema 'film_mart' does not exist in Redshift database '{database}'" in (
        run.error_message
    )
    assert counts(run)["total"] is None
    assert_nothing_written()


def test_a_missing_database_fails_with_resource_not_found(film_dw, owner, project, warehouse):
    """The data source's database is the one connected to (information_schema only shows
    the current database), so a wrong name is reported, not imported as empty."""
    source = create_redshift_source(owner, project, warehouse, database_name="film_warehouse_typo")

    run = run_now(owner, source)

    assert_run_failed(
        run,
        RunErrorType.RESOURCE_NOT_FOUND,
        "Redshift database 'film_warehouse_typo' does not exist",
        'database "film_warehouse_typo" does not exist',
    )
    assert_nothing_written()


def test_an_unknown_user_fails_with_access_denied(film_dw, owner, source, warehouse_profile):
    """The stand-in cluster trusts local connections, so a wrong password would still get
    in; a user the cluster does not know is refused, as Redshift refuses a bad login."""
    warehouse_profile.parameters = {**warehouse_profile.parameters, "user": "mp_nobody"}
    warehouse_profile.save()

    run = run_now(owner, source)

    assert_run_failed(
        run,
        RunErrorType.ACCESS_DENIED,
        "Could not connect to",
        "as mp_nobody",
        'role "mp_nobody" does not exist',
    )
    assert_nothing_written()


def test_an_unset_password_variable_fails_with_what_to_set(film_dw, owner, source, monkeypatch):
    monkeypatch.delenv("MESHPORTAL_TEST_CLUSTER_PASSWORD")

    run = run_now(owner, source)

    assert_run_failed(run, RunErrorType.INTERNAL, "MESHPORTAL_TEST_CLUSTER_PASSWORD", "is not set")
    assert_nothing_written()


@pytest.fixture
def reader_role():
    """A cluster user with no privilege on film_dw (roles are cluster-wide: unique name)."""
    name = f"mp_test_reader_{os.getpid()}"
    execute(f'DROP ROLE IF EXISTS "{name}"')
    execute(f'CREATE ROLE "{name}" LOGIN')
    yield name
    execute(f'DROP OWNED BY "{name}"')  # its grants on film_dw, if the test made any
    execute(f'DROP ROLE IF EXISTS "{name}"')


def test_a_user_without_privileges_on_the_schema_cannot_see_it(
    film_dw, owner, source, warehouse_profile, reader_role
):
    warehouse_profile.parameters = {**warehouse_profile.parameters, "user": reader_role}
    warehouse_profile.save()

    run = run_now(owner, source)

    assert_run_failed(run, RunErrorType.RESOURCE_NOT_FOUND, "or the portal's user may not see it")

    execute(f'GRANT USAGE ON SCHEMA {SCHEMA} TO "{reader_role}"')
    execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO "{reader_role}"')
    run = run_now(owner, source)
    assert run.status == RunStatus.SUCCESS, run.error_message
    assert run.added == 3


def test_the_password_can_come_from_secrets_manager(aws, film_dw, owner, source, warehouse_profile):
    secret = aws.client("secretsmanager").create_secret(
        Name="meshportal/film-warehouse", SecretString=json.dumps({"password": "from-secret"})
    )
    parameters = dict(warehouse_profile.parameters, secret_arn=secret["ARN"])
    parameters.pop("password_env")
    warehouse_profile.parameters = parameters
    warehouse_profile.save()

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    assert run.added == 3


def test_a_missing_password_secret_fails_with_resource_not_found(
    aws, film_dw, owner, source, warehouse_profile
):
    arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:meshportal/gone-AbCdEf"
    parameters = dict(warehouse_profile.parameters, secret_arn=arn)
    parameters.pop("password_env")
    warehouse_profile.parameters = parameters
    warehouse_profile.save()

    run = run_now(owner, source)

    assert_run_failed(
        run,
        RunErrorType.RESOURCE_NOT_FOUND,
        "could not be read from Secrets Manager",
        arn,
        "ResourceNotFoundException",
    )
    assert_nothing_written()
