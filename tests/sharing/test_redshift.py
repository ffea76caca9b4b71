"""Redshift grants: both dialects' statement texts, and the PostgreSQL one run for real on
the stand-in cluster (the test database), where a consumer role can SELECT after the
grant and cannot after the revoke."""

import uuid

import psycopg2
import pytest
from django.db import connection

from sharing.backends import ClusterRef, GrantError, RedshiftBackend, RedshiftGrant
from sharing.backends.redshift import POSTGRESQL, REDSHIFT, detect_dialect, statements

CLUSTER = ClusterRef("cluster.example", 5439, "dev")
SPEC = RedshiftGrant(CLUSTER, "sales", 'fi"lm', "mp_marketing_wh", CLUSTER)


def test_redshift_statements_grant_to_role():
    texts = statements(REDSHIFT, SPEC)
    assert texts["grant"] == [
        'GRANT USAGE ON SCHEMA "sales" TO ROLE "mp_marketing_wh"',
        'GRANT SELECT ON TABLE "sales"."fi""lm" TO ROLE "mp_marketing_wh"',
    ]
    assert texts["revoke"] == [
        'REVOKE SELECT ON TABLE "sales"."fi""lm" FROM ROLE "mp_marketing_wh"',
        'REVOKE USAGE ON SCHEMA "sales" FROM ROLE "mp_marketing_wh"',
    ]


def test_postgresql_statements_grant_to_the_role_name():
    texts = statements(POSTGRESQL, SPEC, schema_usage=False)
    assert texts["grant"] == ['GRANT SELECT ON TABLE "sales"."fi""lm" TO "mp_marketing_wh"']
    assert texts["revoke"] == ['REVOKE SELECT ON TABLE "sales"."fi""lm" FROM "mp_marketing_wh"']


def test_another_cluster_is_manual_and_says_why():
    other = RedshiftGrant(CLUSTER, "sales", "film", "r", ClusterRef("other.example", 5439, "dev"))
    assert other.same_cluster is False
    with pytest.raises(GrantError) as raised:
        RedshiftBackend().grant(None, other)
    assert "datashare" in raised.value.message
    assert "other.example" in raised.value.message
    assert raised.value.transient is False


@pytest.fixture
def cluster(db):
    """An autocommit connection to the stand-in cluster, a table with a row, a consumer
    role; all removed afterwards (roles are cluster-wide, so names are unique)."""
    settings = connection.settings_dict
    params = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": int(settings["PORT"] or 5432),
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"] or "",
    }
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    suffix = uuid.uuid4().hex[:8]
    schema, role = f"sales_{suffix}", f"mp_consumer_{suffix}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'CREATE TABLE "{schema}"."film" (film_id int)')
        cursor.execute(f'INSERT INTO "{schema}"."film" VALUES (1)')
        cursor.execute(f'CREATE ROLE "{role}"')
    yield admin, params, schema, role
    with admin.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')
    admin.close()


def select_as(params, role, schema):
    """SELECT the table as the consumer role would (a separate session, SET ROLE)."""
    session = psycopg2.connect(**params)
    session.autocommit = True
    try:
        with session.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')
            cursor.execute(f'SELECT film_id FROM "{schema}"."film"')
            return cursor.fetchall()
    finally:
        session.close()


def test_grant_then_revoke_on_the_stand_in_cluster(cluster):
    admin, params, schema, role = cluster
    ref = ClusterRef(params["host"], params["port"], params["dbname"])
    spec = RedshiftGrant(ref, schema, "film", role, ref)
    backend = RedshiftBackend()
    assert detect_dialect(admin) == POSTGRESQL
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        select_as(params, role, schema)

    target = backend.grant(admin, spec)

    assert select_as(params, role, schema) == [(1,)]
    assert target["dialect"] == POSTGRESQL
    assert target["object"] == f"{schema}.film"
    assert target["statements"][0] == f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"'

    backend.revoke(admin, target)

    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        select_as(params, role, schema)
    backend.revoke(admin, target)  # revoking again is harmless


def test_revoke_keeps_schema_usage_another_grant_needs(cluster):
    admin, params, schema, role = cluster
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{schema}"."actor" (actor_id int)')
    ref = ClusterRef(params["host"], params["port"], params["dbname"])
    backend = RedshiftBackend()
    film = backend.grant(admin, RedshiftGrant(ref, schema, "film", role, ref))
    backend.grant(admin, RedshiftGrant(ref, schema, "actor", role, ref))

    backend.revoke(admin, film, keep_schema_usage=True)

    with admin.cursor() as cursor:
        cursor.execute("SELECT has_schema_privilege(%s, %s, 'USAGE')", [role, schema])
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT has_table_privilege(%s, %s, 'SELECT')", [role, f'"{schema}"."film"'])
        assert cursor.fetchone()[0] is False


def test_a_missing_table_fails_permanently_with_what_to_do(cluster):
    admin, params, schema, role = cluster
    ref = ClusterRef(params["host"], params["port"], params["dbname"])
    with pytest.raises(GrantError) as raised:
        RedshiftBackend().grant(admin, RedshiftGrant(ref, schema, "gone", role, ref))
    assert raised.value.transient is False
    assert "run the data source" in raised.value.message
