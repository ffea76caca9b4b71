"""Environment profile parameters per blueprint: every problem named at once, by the
service (and so the API) and by the typed form alike."""

import pytest
from django.core.exceptions import ValidationError

from projects.choices import Blueprint
from projects.profiles import parameter_errors
from projects.services import environment_profile_create
from tests.permissions import API


def test_a_usable_data_lake_profile_has_no_problems():
    assert parameter_errors(Blueprint.DATA_LAKE, {"s3_bucket": "lake-data"}) == {}


def test_every_data_lake_problem_is_named():
    errors = parameter_errors(
        Blueprint.DATA_LAKE, {"s3_bucket": "UPPER", "grant_role_arn": "arn:aws:iam::1:user/x"}
    )
    assert set(errors) == {"s3_bucket", "grant_role_arn"}


def test_every_data_warehouse_problem_is_named():
    errors = parameter_errors(Blueprint.DATA_WAREHOUSE, {"port": "many"})
    assert set(errors) == {"host", "database", "user", "password_source", "port"}
    bad_variable = parameter_errors(
        Blueprint.DATA_WAREHOUSE,
        {"host": "h", "database": "d", "user": "u", "password_env": "1-PASSWORD"},
    )
    assert bad_variable == {
        "password_env": "'password_env' must be an environment variable's name: letters, "
        "digits and underscores, not starting with a digit."
    }


@pytest.mark.django_db
def test_the_service_reports_all_parameter_problems_together(platform_admin, domain, aws_account):
    with pytest.raises(ValidationError) as raised:
        environment_profile_create(
            acting_user=platform_admin,
            domain=domain,
            name="Warehouse",
            blueprint=Blueprint.DATA_WAREHOUSE,
            aws_account=aws_account,
            region="us-east-1",
            parameters={"host": "cluster", "port": 0},
        )
    messages = raised.value.message_dict["parameters"]
    assert len(messages) == 4
    assert any("'database'" in m for m in messages) and any("'port'" in m for m in messages)


@pytest.mark.django_db
def test_the_api_lists_every_problem_under_parameters(
    platform_admin, domain, aws_account, api_client_for
):
    response = api_client_for(platform_admin).post(
        f"{API}/environment-profiles/",
        {
            "domain": str(domain.pk),
            "name": "Warehouse",
            "blueprint": "DATA_WAREHOUSE",
            "aws_account": str(aws_account.pk),
            "region": "us-east-1",
            "parameters": {"user": "meshportal"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "parameters": [
            "A DATA_WAREHOUSE profile needs 'host', the cluster's host.",
            "A DATA_WAREHOUSE profile needs 'database', the database to connect to.",
            "A DATA_WAREHOUSE profile needs the password's source: 'password_env' (an "
            "environment variable of the portal) or 'secret_arn' (AWS Secrets Manager).",
        ]
    }
