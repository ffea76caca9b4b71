"""``POST /api/v1/aws-accounts/{id}/check-access/``: who may check, and what it answers.

The existing account, domain and profile endpoints keep their contracts (their matrix
is in test_api_permissions.py); this is the one endpoint platform setup adds.
"""

from types import SimpleNamespace

import pytest

from projects.models import AwsAccount, Domain, EnvironmentProfile, Project
from tests.permissions import API, MISSING, Action, assert_response, matrix, model_state, run_action
from tests.projects.factories import AwsAccountFactory
from tests.sharing.conftest import multi_account_moto_server, two_accounts  # noqa: F401

CHECK = Action(
    "aws-account-check-access",
    "post",
    lambda w: f"{API}/aws-accounts/{w.aws_account.pk}/check-access/",
    {
        "platform_admin": 200,
        "steward": 403,
        "owner": 403,
        "contributor": 403,
        "viewer": 403,
        "outsider": 403,
        "anonymous": 401,
    },
)


def database_state():
    return model_state(Domain, AwsAccount, EnvironmentProfile, Project)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "persona", "expected"), matrix([CHECK]), indirect=["persona"])
def test_check_access_matrix(action, persona, expected, aws, aws_account, profile, api_client_for):
    world = SimpleNamespace(aws_account=aws_account)
    response = run_action(
        api_client_for(persona),
        action,
        world,
        persona,
        expected,
        database_state,
        check_response=lambda r, e: assert_response(r, e, success_keys=("results",)),
        writes_change_state=False,  # a check only reads
    )
    if expected == 200:
        assert response.json()["account_id"] == "111111111111"


@pytest.mark.django_db
def test_check_access_of_a_missing_account_is_404(platform_admin, api_client_for):
    response = api_client_for(platform_admin).post(f"{API}/aws-accounts/{MISSING}/check-access/")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.django_db
def test_check_access_reports_every_call(two_accounts, domain, platform_admin, api_client_for):  # noqa: F811
    account = AwsAccountFactory(
        domain=domain,
        account_id="111111111111",
        role_arn="arn:aws:iam::111111111111:role/MeshPortal",
    )
    response = api_client_for(platform_admin).post(f"{API}/aws-accounts/{account.pk}/check-access/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"account_id", "role_arn", "checked_at", "ok", "summary", "results"}
    assert body["ok"] is True
    assert body["role_arn"] == "arn:aws:iam::111111111111:role/MeshPortal"
    assert [(r["key"], r["status"]) for r in body["results"]] == [
        ("assume_role", "OK"),
        ("identity", "OK"),
        ("glue", "OK"),
        ("lf_settings", "WARNING"),
        ("lf_resources", "OK"),
        ("s3", "SKIPPED"),
    ]
    assert all(r["label"] and r["detail"] for r in body["results"])


@pytest.mark.django_db
def test_check_access_is_in_the_openapi_schema(api_client_for, outsider):
    schema = api_client_for(outsider).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    operation = paths["/api/v1/aws-accounts/{id}/check-access/"]["post"]
    assert "200" in operation["responses"]
