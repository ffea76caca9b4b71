"""Reconciliation: a permission revoked behind the portal's back is granted again, one
granted by hand to a portal-managed role is reported and left alone."""

from sharing.backends import LakeFormationBackend, reconcile_lake_formation
from tests.sharing.conftest import PRODUCER, make_glue_database, make_glue_table, table_permissions
from tests.sharing.test_lakeformation import ETL_ROLE, LOCATION, ROLE, same_account_spec

FILM = {"Table": {"CatalogId": PRODUCER, "DatabaseName": "curatedzonedb", "Name": "film"}}


def setup_grant(aws):
    glue = aws.client("glue")
    make_glue_table(glue, "curatedzonedb", "film", LOCATION)
    make_glue_database(glue, "marketing_sub_db")
    return LakeFormationBackend().grant(same_account_spec())


def test_nothing_to_report_when_lake_formation_agrees(aws):
    target = setup_grant(aws)
    drift = reconcile_lake_formation([("g1", target)])
    assert (drift.missing, drift.unexplained, drift.errors) == ([], [], [])
    assert drift.resources_checked == 2  # the table and the link, once each


def test_a_missing_permission_is_reported_in_a_dry_run_and_regranted_otherwise(aws):
    target = setup_grant(aws)
    lf = aws.client("lakeformation")
    lf.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": ROLE}, Resource=FILM, Permissions=["SELECT"]
    )

    dry = reconcile_lake_formation([("g1", target)], repair=False)
    assert [(key, step["principal"]) for key, step in dry.missing] == [("g1", ROLE)]
    assert dry.regranted == []
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {ROLE: (["DESCRIBE"], [])}

    drift = reconcile_lake_formation([("g1", target)])
    assert [key for key, _step in drift.regranted] == ["g1"]
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film") == {
        ROLE: (["DESCRIBE", "SELECT"], [])
    }
    assert reconcile_lake_formation([("g1", target)]).missing == []


def test_an_unexplained_permission_of_a_managed_role_is_reported_not_removed(aws):
    target = setup_grant(aws)
    lf = aws.client("lakeformation")
    stranger = f"arn:aws:iam::{PRODUCER}:role/someone-else"
    for principal in (ETL_ROLE, stranger):
        lf.grant_permissions(
            Principal={"DataLakePrincipalIdentifier": principal},
            Resource=FILM,
            Permissions=["SELECT"],
        )

    drift = reconcile_lake_formation([("g1", target)], managed_principals=[ETL_ROLE])

    # The ETL role is the portal's (an environment's extra role); the stranger is not.
    assert [(u["principal"], u["permissions"]) for u in drift.unexplained] == [
        (ETL_ROLE, ["SELECT"])
    ]
    assert set(table_permissions(lf, PRODUCER, "curatedzonedb", "film")) == {
        ROLE,
        ETL_ROLE,
        stranger,
    }


def test_a_lake_formation_that_cannot_be_read_is_an_error_not_drift(aws, monkeypatch):
    from tests.catalog.throttling_proxy import AwsProxy

    target = setup_grant(aws)
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        proxy.fail("/ListPermissions", "AccessDeniedException")
        drift = reconcile_lake_formation([("g1", target)])
    assert drift.missing == []
    assert len(drift.errors) == 2
    assert "access denied" in drift.errors[0][1]


def test_lake_formation_is_read_several_resources_at_a_time(aws, monkeypatch):
    import threading

    from sharing.backends import reconcile

    target = setup_grant(aws)
    real_read = reconcile._list_permissions
    # The table's read and the link's must be in flight together to pass this barrier; one
    # after the other, the first would wait in vain and break it.
    both = threading.Barrier(2, timeout=30)

    def read_beside_the_other(context, resource):
        both.wait()
        return real_read(context, resource)

    monkeypatch.setattr(reconcile, "_list_permissions", read_beside_the_other)

    drift = reconcile_lake_formation([("g1", target)])

    assert (drift.missing, drift.unexplained, drift.errors) == ([], [], [])
    assert drift.resources_checked == 2
