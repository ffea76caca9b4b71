""" "Check access" for an AWS account, against moto's standalone server.

The multi-account server (no MOTO_ACCOUNT_ID) switches accounts on assumed-role
credentials, so a role ARN in another account than the association names is seen as
production would see it: the calls land in the role's account.
"""

import pytest
from django.core.exceptions import PermissionDenied

from projects.access_check import aws_account_check_access
from projects.choices import Blueprint
from tests.projects.factories import AwsAccountFactory, EnvironmentProfileFactory
from tests.sharing.conftest import multi_account_moto_server, two_accounts  # noqa: F401

PRODUCER = "111111111111"
ROLE = f"arn:aws:iam::{PRODUCER}:role/MeshPortal"

pytestmark = pytest.mark.django_db


def statuses(report) -> dict[str, str]:
    return {r.key: str(r.status) for r in report.results}


def details(report) -> dict[str, str]:
    return {r.key: r.detail for r in report.results}


@pytest.fixture
def account(domain):
    return AwsAccountFactory(domain=domain, account_id=PRODUCER, region="us-east-1", role_arn=ROLE)


def test_a_reachable_account_reports_each_call(two_accounts, account, platform_admin):  # noqa: F811
    two_accounts.client_in(PRODUCER, "glue").create_database(DatabaseInput={"Name": "curated"})
    two_accounts.client_in(PRODUCER, "s3").create_bucket(Bucket="meshportal-environments")
    EnvironmentProfileFactory(
        domain=account.domain,
        aws_account=account,
        name="DataLakeProfile",
        parameters={"s3_bucket": "meshportal-environments"},
    )

    report = aws_account_check_access(acting_user=platform_admin, account=account)

    assert statuses(report) == {
        "assume_role": "OK",
        "identity": "OK",
        "glue": "OK",
        # moto's account has no data lake administrators: the role is not one.
        "lf_settings": "WARNING",
        "lf_resources": "OK",
        "s3:meshportal-environments": "OK",
    }
    assert report.ok
    said = details(report)
    assert said["glue"] == "1 database visible."
    assert "assumed-role/MeshPortal" in said["identity"] and PRODUCER in said["identity"]
    assert "MeshPortal is not a data lake administrator" in said["lf_settings"]
    assert said["lf_resources"].startswith("0 registered S3 locations.")
    assert said["s3:meshportal-environments"] == "Reachable (profile DataLakeProfile)."
    assert report.summary == "5 of 6 checks work, 1 needs attention."


def test_a_data_lake_administrator_role_is_ok(two_accounts, account, platform_admin):  # noqa: F811
    two_accounts.client_in(PRODUCER, "lakeformation").put_data_lake_settings(
        DataLakeSettings={"DataLakeAdmins": [{"DataLakePrincipalIdentifier": ROLE}]}
    )
    report = aws_account_check_access(acting_user=platform_admin, account=account)
    assert statuses(report)["lf_settings"] == "OK"
    assert details(report)["lf_settings"] == "The role MeshPortal is a data lake administrator."
    # No profile yet: the bucket check says when it will run.
    assert statuses(report)["s3"] == "SKIPPED"


def test_missing_bucket_and_grant_role_fail_with_what_to_do(two_accounts, account, platform_admin):  # noqa: F811
    EnvironmentProfileFactory(
        domain=account.domain,
        aws_account=account,
        name="Lake",
        parameters={
            "s3_bucket": "no-such-bucket",
            "grant_role_arn": f"arn:aws:iam::{PRODUCER}:role/meshportal/Grants",
        },
    )

    report = aws_account_check_access(acting_user=platform_admin, account=account)

    assert not report.ok
    result = {r.key: r for r in report.results}
    bucket = result["s3:no-such-bucket"]
    assert str(bucket.status) == "FAILED"
    assert bucket.detail == (
        f"Bucket no-such-bucket (named by profile Lake) does not exist in account {PRODUCER}. "
        "Create it or correct the profile."
    )
    role = next(r for r in report.results if r.key.startswith("iam:"))
    assert str(role.status) == "FAILED"
    assert "Role Grants (named by profile Lake) does not exist" in role.detail
    # Glue and Lake Formation still worked: the report says what works, not only what fails.
    assert statuses(report)["glue"] == "OK"


def test_a_role_in_another_account_is_caught(two_accounts, domain, platform_admin):  # noqa: F811
    account = AwsAccountFactory(
        domain=domain,
        account_id=PRODUCER,
        role_arn="arn:aws:iam::222222222222:role/MeshPortal",
    )
    report = aws_account_check_access(acting_user=platform_admin, account=account)
    assert statuses(report) == {
        "assume_role": "OK",
        "identity": "FAILED",
        "glue": "SKIPPED",
        "lf_settings": "SKIPPED",
        "lf_resources": "SKIPPED",
    }
    said = details(report)
    assert said["identity"] == (
        "The role arn:aws:iam::222222222222:role/MeshPortal act in account 222222222222, "
        f"not in {PRODUCER}. Correct the account id or the role ARN."
    )
    assert said["glue"] == "Not tried: calls would land in account 222222222222."


def test_portal_credentials_of_another_account_are_caught(two_accounts, domain, platform_admin):  # noqa: F811
    # Without a role the portal uses its own credentials: moto's default account here.
    account = AwsAccountFactory(domain=domain, account_id=PRODUCER, role_arn="")
    report = aws_account_check_access(acting_user=platform_admin, account=account)
    assert "assume_role" not in statuses(report)
    assert statuses(report)["identity"] == "FAILED"
    assert details(report)["identity"].startswith("The portal's own credentials act in account")


def test_unreachable_aws_fails_the_first_call_and_skips_the_rest(
    domain, platform_admin, monkeypatch
):
    from tests.conftest import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    account = AwsAccountFactory(domain=domain, account_id=PRODUCER, role_arn=ROLE)
    report = aws_account_check_access(acting_user=platform_admin, account=account)
    assert statuses(report)["assume_role"] == "FAILED"
    assert "AWS could not be reached" in details(report)["assume_role"]
    assert {statuses(report)[k] for k in ("glue", "lf_settings", "lf_resources")} == {"SKIPPED"}


@pytest.mark.parametrize("persona", ["steward", "owner", "outsider"])
def test_only_platform_admins_check_access(request, persona, account, project):
    with pytest.raises(PermissionDenied):
        aws_account_check_access(acting_user=request.getfixturevalue(persona), account=account)


def test_warehouse_profiles_have_no_bucket_to_check(two_accounts, account, platform_admin):  # noqa: F811
    EnvironmentProfileFactory(
        domain=account.domain,
        aws_account=account,
        blueprint=Blueprint.DATA_WAREHOUSE,
        parameters={"host": "h", "database": "d", "user": "u", "password_env": "PW"},
    )
    report = aws_account_check_access(acting_user=platform_admin, account=account)
    assert statuses(report)["s3"] == "SKIPPED"
