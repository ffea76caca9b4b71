"""Lake Formation backend against moto's standalone server: same account on the session's
server, cross account on the multi-account one (read back in each account)."""

import pytest

from sharing.backends import (
    AccountRef,
    GrantError,
    LakeFormationBackend,
    LakeFormationGrant,
    registered_location,
)
from sharing.backends.locations import location_is_under
from tests.sharing.conftest import (
    CONSUMER,
    PRODUCER,
    REGION,
    make_glue_database,
    make_glue_table,
    table_permissions,
)

LOCATION = "s3://curated-bucket/curatedzonedb/film/"
ROLE = f"arn:aws:iam::{PRODUCER}:role/meshportal/mp-marketing-lake"
ETL_ROLE = f"arn:aws:iam::{PRODUCER}:role/etl-jobs"


def same_account_spec(*principals) -> LakeFormationGrant:
    account = AccountRef(PRODUCER, REGION)
    return LakeFormationGrant(
        producer=account,
        database="curatedzonedb",
        table="film",
        location=LOCATION,
        principals=principals or (ROLE,),
        consumer=account,
        consumer_database="marketing_sub_db",
    )


@pytest.fixture
def shared_table(aws):
    glue = aws.client("glue")
    make_glue_table(glue, "curatedzonedb", "film", LOCATION)
    make_glue_database(glue, "marketing_sub_db")
    return glue


def test_location_under_a_registered_one_is_managed(aws):
    lf = aws.client("lakeformation")
    account = AccountRef(PRODUCER, REGION)
    assert registered_location(account, LOCATION) is None
    lf.register_resource(ResourceArn="arn:aws:s3:::curated-bucket/curatedzonedb")
    assert registered_location(account, LOCATION) == "arn:aws:s3:::curated-bucket/curatedzonedb"
    # A sibling prefix that merely starts with the same letters is not under it.
    assert registered_location(account, "s3://curated-bucket/curatedzonedb2/x/") is None
    assert registered_location(account, "s3://other-bucket/curatedzonedb/film/") is None


@pytest.mark.parametrize(
    ("location", "registered", "under"),
    [
        ("s3://b/a/b/", "arn:aws:s3:::b", True),
        ("s3://b/a", "arn:aws:s3:::b/a", True),
        ("s3://b/ab/", "arn:aws:s3:::b/a", False),
        ("", "arn:aws:s3:::b", False),
    ],
)
def test_location_is_under_follows_path_boundaries(location, registered, under):
    assert location_is_under(location, registered) is under


def test_same_account_grant_gives_select_describe_and_a_resource_link(aws, shared_table):
    target = LakeFormationBackend().grant(same_account_spec())
    lf = aws.client("lakeformation")

    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {
        ROLE: (["DESCRIBE", "SELECT"], [])
    }
    link = shared_table.get_table(DatabaseName="marketing_sub_db", Name="film")["Table"]
    assert link["TargetTable"] == {
        "CatalogId": PRODUCER,
        "DatabaseName": "curatedzonedb",
        "Name": "film",
    }
    assert table_permissions(lf, PRODUCER, "marketing_sub_db", "film") == {ROLE: (["DESCRIBE"], [])}
    assert target["mode"] == "SAME_ACCOUNT"
    assert target["resource_link"] == {
        "catalog_id": PRODUCER,
        "database": "marketing_sub_db",
        "name": "film",
    }
    assert [s["type"] for s in target["steps"]] == ["permission", "resource_link", "permission"]


def test_a_taken_link_name_gets_a_unique_one_and_a_second_grant_reuses_the_link(aws, shared_table):
    shared_table.create_table(DatabaseName="marketing_sub_db", TableInput={"Name": "film"})
    backend = LakeFormationBackend()
    first = backend.grant(same_account_spec())
    again = backend.grant(same_account_spec())

    assert first["resource_link"]["name"] == "film_curatedzonedb"
    assert again["resource_link"]["name"] == "film_curatedzonedb"
    names = {
        t["Name"] for t in shared_table.get_tables(DatabaseName="marketing_sub_db")["TableList"]
    }
    assert names == {"film", "film_curatedzonedb"}


def test_revoke_takes_away_exactly_what_was_granted_and_is_safe_twice(aws, shared_table):
    lf = aws.client("lakeformation")
    # A permission someone else gave on the same table stays.
    lf.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": ETL_ROLE},
        Resource={
            "Table": {"CatalogId": PRODUCER, "DatabaseName": "curatedzonedb", "Name": "film"}
        },
        Permissions=["SELECT"],
    )
    backend = LakeFormationBackend()
    target = backend.grant(same_account_spec())

    left = backend.revoke(target)
    assert left["steps"] == []
    assert left["resource_link"] is None
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {ETL_ROLE: (["SELECT"], [])}
    assert table_permissions(lf, PRODUCER, "marketing_sub_db", "film") == {}
    with pytest.raises(shared_table.exceptions.EntityNotFoundException):
        shared_table.get_table(DatabaseName="marketing_sub_db", Name="film")

    assert backend.revoke(target)["steps"] == []  # the second revoke finds nothing to do


def test_every_listed_role_is_granted_and_one_can_be_revoked_alone(aws, shared_table):
    lf = aws.client("lakeformation")
    backend = LakeFormationBackend()
    target = backend.grant(same_account_spec(ROLE, ETL_ROLE))
    assert set(table_permissions(lf, PRODUCER, "curatedzonedb", "film")) == {ROLE, ETL_ROLE}

    left = backend.revoke(target, principals=[ETL_ROLE])

    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {
        ROLE: (["DESCRIBE", "SELECT"], [])
    }
    assert set(table_permissions(lf, PRODUCER, "marketing_sub_db", "film")) == {ROLE}
    assert left["principals"] == [ROLE]
    assert left["resource_link"]["name"] == "film"  # the remaining role still uses it
    shared_table.get_table(DatabaseName="marketing_sub_db", Name="film")


def test_kept_steps_are_forgotten_not_revoked(aws, shared_table):
    """Another grant still needs a permission (LF does not count references)."""
    from sharing.backends.lakeformation import step_key

    lf = aws.client("lakeformation")
    backend = LakeFormationBackend()
    target = backend.grant(same_account_spec())
    keep = frozenset({step_key(target["steps"][0])})

    backend.revoke(target, keep=keep)

    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {
        ROLE: (["DESCRIBE", "SELECT"], [])
    }
    assert table_permissions(lf, PRODUCER, "marketing_sub_db", "film") == {}


@pytest.mark.parametrize(
    ("principals", "database", "says"),
    [
        ((), "marketing_sub_db", "no IAM role"),
        (("not-an-arn",), "marketing_sub_db", "is not an IAM role ARN"),
        ((f"arn:aws:iam::{CONSUMER}:role/x",), "marketing_sub_db", "not in the consumer account"),
        ((ROLE,), "", "no consumer Glue database"),
    ],
)
def test_a_description_aws_would_refuse_fails_before_calling_aws(principals, database, says):
    account = AccountRef(PRODUCER, REGION)
    spec = LakeFormationGrant(account, "db", "t", LOCATION, principals, account, database)
    with pytest.raises(GrantError) as raised:
        LakeFormationBackend().grant(spec)
    assert says in raised.value.message
    assert raised.value.transient is False


def test_a_missing_consumer_database_says_to_retry_provisioning(aws):
    make_glue_table(aws.client("glue"), "curatedzonedb", "film", LOCATION)
    with pytest.raises(GrantError) as raised:
        LakeFormationBackend().grant(same_account_spec())
    assert "marketing_sub_db" in raised.value.message
    assert "provisioning" in raised.value.message
    assert raised.value.transient is False
    # The table permission granted before the failure is recorded, for revoke.
    assert [s["type"] for s in raised.value.target["steps"]] == ["permission"]


# --- cross account --------------------------------------------------------------------

PRODUCER_ADMIN = f"arn:aws:iam::{PRODUCER}:role/meshportal-admin"
CONSUMER_ADMIN = f"arn:aws:iam::{CONSUMER}:role/meshportal-admin"
CONSUMER_ROLE = f"arn:aws:iam::{CONSUMER}:role/meshportal/mp-marketing-lake"


def cross_account_spec(*principals) -> LakeFormationGrant:
    return LakeFormationGrant(
        producer=AccountRef(PRODUCER, REGION, PRODUCER_ADMIN),
        database="curatedzonedb",
        table="film",
        location=LOCATION,
        principals=principals or (CONSUMER_ROLE,),
        consumer=AccountRef(CONSUMER, REGION, CONSUMER_ADMIN),
        consumer_database="marketing_sub_db",
    )


@pytest.fixture
def cross_account_table(two_accounts):
    make_glue_table(two_accounts.client_in(PRODUCER, "glue"), "curatedzonedb", "film", LOCATION)
    make_glue_database(two_accounts.client_in(CONSUMER, "glue"), "marketing_sub_db")
    return two_accounts


def test_cross_account_grant_lands_in_each_account(cross_account_table):
    server = cross_account_table
    target = LakeFormationBackend().grant(cross_account_spec())

    producer_lf = server.client_in(PRODUCER, "lakeformation")
    consumer_lf = server.client_in(CONSUMER, "lakeformation")
    consumer_glue = server.client_in(CONSUMER, "glue")
    # Producer: shared with the consumer account, with grant option.
    assert table_permissions(producer_lf, PRODUCER, "curatedzonedb", "film") == {
        CONSUMER: (["DESCRIBE", "SELECT"], ["DESCRIBE", "SELECT"])
    }
    # Consumer: the resource link points at the producer's catalog ...
    link = consumer_glue.get_table(DatabaseName="marketing_sub_db", Name="film")["Table"]
    assert link["TargetTable"] == {
        "CatalogId": PRODUCER,
        "DatabaseName": "curatedzonedb",
        "Name": "film",
    }
    # ... the role may DESCRIBE the link and SELECT the target, in the consumer's LF.
    assert table_permissions(consumer_lf, CONSUMER, "marketing_sub_db", "film") == {
        CONSUMER_ROLE: (["DESCRIBE"], [])
    }
    assert table_permissions(consumer_lf, PRODUCER, "curatedzonedb", "film") == {
        CONSUMER_ROLE: (["SELECT"], [])
    }
    # Nothing leaked into the wrong account.
    assert table_permissions(producer_lf, PRODUCER, "marketing_sub_db", "film") == {}
    with pytest.raises(server.client_in(PRODUCER, "glue").exceptions.EntityNotFoundException):
        server.client_in(PRODUCER, "glue").get_table(DatabaseName="marketing_sub_db", Name="film")
    assert target["mode"] == "CROSS_ACCOUNT"
    assert {s["side"] for s in target["steps"] if s["type"] == "permission"} == {
        "producer",
        "consumer",
    }


def test_cross_account_revoke_clears_both_accounts(cross_account_table):
    server = cross_account_table
    backend = LakeFormationBackend()
    target = backend.grant(cross_account_spec())

    assert backend.revoke(target)["steps"] == []

    producer_lf = server.client_in(PRODUCER, "lakeformation")
    consumer_lf = server.client_in(CONSUMER, "lakeformation")
    assert table_permissions(producer_lf, PRODUCER, "curatedzonedb", "film") == {}
    assert table_permissions(consumer_lf, CONSUMER, "marketing_sub_db", "film") == {}
    assert table_permissions(consumer_lf, PRODUCER, "curatedzonedb", "film") == {}
    consumer_glue = server.client_in(CONSUMER, "glue")
    assert consumer_glue.get_tables(DatabaseName="marketing_sub_db")["TableList"] == []
