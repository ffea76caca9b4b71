"""Grants beyond one account's data lake, through the services and (eager) tasks: a
cross-account grant read back in both accounts (moto without MOTO_ACCOUNT_ID), and a
Redshift grant run for real on the stand-in cluster, or MANUAL for another cluster."""

import uuid

import psycopg2
import pytest
from django.db import connection

from catalog.choices import AssetType, DataSourceType
from projects.choices import Blueprint
from sharing.choices import GrantBackend, GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions.services import subscription_revoke
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import (
    AwsAccountFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
)
from tests.sharing.conftest import (
    CONSUMER,
    FILM_LOCATION,
    PRODUCER,
    make_glue_database,
    make_glue_table,
    table_permissions,
)
from tests.sharing.test_redshift import select_as

pytestmark = pytest.mark.django_db(transaction=True)

MARKETING_ROLE = f"arn:aws:iam::{CONSUMER}:role/meshportal/mp-marketing-lake"


def test_cross_account_approve_and_revoke_land_in_each_account(
    two_accounts, aws_account, domain, listing, consumer_project, approve, owner
):
    aws_account.role_arn = f"arn:aws:iam::{PRODUCER}:role/meshportal-admin"
    aws_account.save()
    marketing_account = AwsAccountFactory(
        domain=domain,
        account_id=CONSUMER,
        name="Marketing",
        role_arn=f"arn:aws:iam::{CONSUMER}:role/meshportal-admin",
    )
    marketing_profile = EnvironmentProfileFactory(
        domain=domain, aws_account=marketing_account, name="MarketingLakeProfile"
    )
    EnvironmentFactory(
        project=consumer_project,
        profile=marketing_profile,
        grant_role_arn=MARKETING_ROLE,
        consumer_glue_database="marketing_sub_db",
    )
    make_glue_table(
        two_accounts.client_in(PRODUCER, "glue"), "curatedzonedb", "film_category", FILM_LOCATION
    )
    two_accounts.client_in(PRODUCER, "lakeformation").register_resource(
        ResourceArn="arn:aws:s3:::curated-bucket/curatedzonedb"
    )
    make_glue_database(two_accounts.client_in(CONSUMER, "glue"), "marketing_sub_db")

    subscription = approve(listing, consumer_project)

    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.GRANTED, grant.failure_cause
    assert grant.target["mode"] == "CROSS_ACCOUNT"
    producer_lf = two_accounts.client_in(PRODUCER, "lakeformation")
    consumer_lf = two_accounts.client_in(CONSUMER, "lakeformation")
    assert table_permissions(producer_lf, PRODUCER, "curatedzonedb", "film_category") == {
        CONSUMER: (["DESCRIBE", "SELECT"], ["DESCRIBE", "SELECT"])
    }
    assert table_permissions(consumer_lf, PRODUCER, "curatedzonedb", "film_category") == {
        MARKETING_ROLE: (["SELECT"], [])
    }
    link = two_accounts.client_in(CONSUMER, "glue").get_table(
        DatabaseName="marketing_sub_db", Name="film_category"
    )["Table"]
    assert link["TargetTable"]["CatalogId"] == PRODUCER

    subscription_revoke(acting_user=owner, subscription=subscription, reason="Over")

    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert table_permissions(producer_lf, PRODUCER, "curatedzonedb", "film_category") == {}
    assert table_permissions(consumer_lf, PRODUCER, "curatedzonedb", "film_category") == {}
    assert table_permissions(consumer_lf, CONSUMER, "marketing_sub_db", "film_category") == {}


@pytest.fixture
def cluster(monkeypatch):
    """The stand-in cluster (the test database), a schema with a table, a consumer role."""
    db = connection.settings_dict
    monkeypatch.setenv("MESHPORTAL_TEST_CLUSTER_PASSWORD", db["PASSWORD"] or "")
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "database": db["NAME"],
        "user": db["USER"],
        "password_env": "MESHPORTAL_TEST_CLUSTER_PASSWORD",
    }
    raw = {
        "host": params["host"],
        "port": params["port"],
        "dbname": params["database"],
        "user": params["user"],
        "password": db["PASSWORD"] or "",
    }
    admin = psycopg2.connect(**raw)
    admin.autocommit = True
    suffix = uuid.uuid4().hex[:8]
    schema, role = f"sales_{suffix}", f"mp_marketing_{suffix}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'CREATE TABLE "{schema}"."film" (film_id int)')
        cursor.execute(f'INSERT INTO "{schema}"."film" VALUES (7)')
        cursor.execute(f'CREATE ROLE "{role}"')
    yield params, raw, schema, role
    with admin.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')
    admin.close()


def warehouse_listing(project, domain, aws_account, params, schema):
    profile = EnvironmentProfileFactory(
        domain=domain,
        aws_account=aws_account,
        name="DataWarehouseProfile",
        blueprint=Blueprint.DATA_WAREHOUSE,
        parameters=params,
    )
    environment = EnvironmentFactory(project=project, profile=profile, name="Film Warehouse")
    asset = AssetFactory(
        data_source__project=project,
        data_source__environment=environment,
        data_source__type=DataSourceType.REDSHIFT,
        type=AssetType.REDSHIFT_TABLE,
        technical_name="film",
        database_name=params["database"],
        schema_name=schema,
        external_identifier=f"redshift://{params['host']}/{params['database']}/{schema}/film",
        technical_metadata={"table_type": "BASE TABLE"},
    )
    return ListingFactory(asset=asset), profile


def test_redshift_grant_and_revoke_on_the_stand_in_cluster(
    cluster, project, domain, aws_account, consumer_project, approve, owner
):
    params, raw, schema, role = cluster
    listing, profile = warehouse_listing(project, domain, aws_account, params, schema)
    EnvironmentFactory(
        project=consumer_project, profile=profile, name="Marketing Warehouse", redshift_role=role
    )

    subscription = approve(listing, consumer_project)

    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert (grant.backend, grant.status) == (GrantBackend.REDSHIFT, GrantStatus.GRANTED), (
        grant.failure_cause
    )
    assert select_as(raw, role, schema) == [(7,)]
    assert grant.target["object"] == f"{schema}.film"

    subscription_revoke(acting_user=owner, subscription=subscription, reason="Over")

    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        select_as(raw, role, schema)


def test_redshift_on_another_cluster_is_manual_and_says_datashare(
    cluster, project, domain, aws_account, consumer_project, approve, owner
):
    params, _raw, schema, role = cluster
    listing, _profile = warehouse_listing(project, domain, aws_account, params, schema)
    other = EnvironmentProfileFactory(
        domain=domain,
        aws_account=aws_account,
        name="OtherWarehouse",
        blueprint=Blueprint.DATA_WAREHOUSE,
        parameters={**params, "host": "analytics.example.internal"},
    )
    EnvironmentFactory(project=consumer_project, profile=other, redshift_role=role)

    subscription = approve(listing, consumer_project)

    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert (grant.backend, grant.status) == (GrantBackend.MANUAL, GrantStatus.PENDING)
    assert "datashare" in grant.manual_reason
