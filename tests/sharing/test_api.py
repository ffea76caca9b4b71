"""/api/v1/subscription-grants/ and /api/v1/environment-roles/: fields, filters, the
persona matrix for retry and status, bad input, and a pinned query count."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sharing.choices import GrantBackend, GrantStatus
from sharing.models import SubscriptionGrant
from tests.conftest import PERSONAS
from tests.permissions import Action, assert_response, matrix_test
from tests.sharing.conftest import CONSUMER_ROLE_SAME
from tests.sharing.grants import grant_of, granted, set_state

# The API's fields (a contract: written out here, not read from the serializer).
FIELDS = set(
    "id subscription environment backend status failure_cause attempts granted_at revoked_at"
    " target how_to_query".split()
)
URL = "/api/v1/subscription-grants/"


@pytest.fixture
def grant(listing, consumer_project, consumer_environment, approve):
    """The approval's grant (tasks not run: plain db test)."""
    return grant_of(approve(listing, consumer_project))


def test_list_has_the_issue_fields_and_how_to_query(grant, api_client_for, consumer):
    granted(grant)
    answer = api_client_for(consumer).get(URL)
    assert answer.status_code == 200
    (row,) = answer.json()["results"]
    assert set(row) == FIELDS
    assert row["how_to_query"] == {
        "athena_workgroup": "meshportal-marketing-lake",
        "database": "marketing_sub_db",
        "table": "film_category",
        "query": 'SELECT * FROM "marketing_sub_db"."film_category" LIMIT 10',
    }


@pytest.mark.parametrize(
    ("param", "value", "count"),
    [
        ("status", "PENDING", 1),
        ("status", "GRANTED", 0),
        ("backend", "LAKE_FORMATION", 1),
        ("backend", "MANUAL", 0),
    ],
)
def test_filters(grant, api_client_for, consumer, param, value, count):
    answer = api_client_for(consumer).get(URL, {param: value})
    assert answer.json()["count"] == count


def test_filters_by_subscription_and_environment(grant, api_client_for, consumer):
    client = api_client_for(consumer)
    assert client.get(URL, {"subscription": grant.subscription_id}).json()["count"] == 1
    assert client.get(URL, {"environment": grant.environment_id}).json()["count"] == 1
    other = "00000000-0000-0000-0000-000000000000"
    assert client.get(URL, {"environment": other}).json()["count"] == 0


@pytest.mark.parametrize(("param", "value"), [("status", "NOPE"), ("environment", "x")])
def test_a_bad_filter_is_a_400(grant, api_client_for, consumer, param, value):
    answer = api_client_for(consumer).get(URL, {param: value})
    assert answer.status_code == 400
    assert param in answer.json()


# Who sees the grant, and who may act on it. The producer side is `project` (owner,
# steward of the domain, contributor, viewer); the consumer side adds `consumer`.
SEE = {
    "platform_admin": 404,
    "steward": 200,
    "owner": 200,
    "contributor": 200,
    "viewer": 200,
    "outsider": 404,
    "anonymous": 401,
    "consumer": 200,
}
RETRY = {**SEE, "steward": 403, "contributor": 403, "viewer": 403, "owner": 202, "consumer": 202}
STATUS = {**SEE, "steward": 403, "contributor": 403, "viewer": 403, "owner": 200, "consumer": 403}


def failed(w):
    """The grant as a failed attempt leaves it, ready for a retry."""
    set_state(w.grant, status=GrantStatus.GRANT_FAILED, failure_cause="AccessDenied")
    return f"{URL}{w.grant.pk}/retry/"


def manual(w):
    """The grant moved to the manual backend, whose status a producer owner sets."""
    set_state(w.grant, backend=GrantBackend.MANUAL, manual_reason="Unmanaged.")
    return f"{URL}{w.grant.pk}/status/"


def grant_is(status):
    def check(w):
        w.grant.refresh_from_db()
        assert w.grant.status == status

    return check


ACTIONS = [
    Action("grant-detail", "get", lambda w: f"{URL}{w.grant.pk}/", SEE),
    Action("grant-retry", "post", failed, RETRY, effect=grant_is(GrantStatus.PENDING)),
    Action(
        "grant-status",
        "post",
        manual,
        STATUS,
        body=lambda w: {"status": "GRANTED", "message": "Done"},
        effect=grant_is(GrantStatus.GRANTED),
    ),
]


@pytest.fixture
def world(grant):
    return SimpleNamespace(grant=grant)


def database_state():
    return sorted(SubscriptionGrant.objects.values_list("pk", "status", "backend", "failure_cause"))


def check_response(response, expected):
    assert_response(response, expected)
    if expected == 202:
        assert response.json()["status"] == GrantStatus.PENDING


test_matrix = matrix_test(
    ACTIONS, database_state, check_response=check_response, personas=[*PERSONAS, "consumer"]
)


def test_retry_of_a_grant_that_did_not_fail_is_a_409(grant, api_client_for, owner):
    answer = api_client_for(owner).post(f"{URL}{grant.pk}/retry/")
    assert answer.status_code == 409
    assert "Only a failed grant" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "DONE"}, "status"),
        ({"status": "GRANTED", "message": "x" * 2001}, "message"),
        ({}, "status"),
    ],
)
def test_bad_status_input_is_a_400(grant, api_client_for, owner, body, field):
    set_state(grant, backend=GrantBackend.MANUAL)
    answer = api_client_for(owner).post(f"{URL}{grant.pk}/status/", body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


def test_status_of_an_automated_grant_or_a_wrong_transition_is_a_409(grant, api_client_for, owner):
    client = api_client_for(owner)
    answer = client.post(f"{URL}{grant.pk}/status/", {"status": "GRANTED"}, format="json")
    assert answer.status_code == 409
    set_state(grant, backend=GrantBackend.MANUAL)
    answer = client.post(f"{URL}{grant.pk}/status/", {"status": "REVOKED"}, format="json")
    assert answer.status_code == 409


def test_list_queries_do_not_grow_with_rows(
    listing, consumer_project, profile, approve, api_client_for, consumer
):
    from tests.projects.factories import EnvironmentFactory

    for n in range(2):
        EnvironmentFactory(
            project=consumer_project,
            profile=profile,
            grant_role_arn=CONSUMER_ROLE_SAME,
            consumer_glue_database=f"db{n}",
        )
    approve(listing, consumer_project)
    client = api_client_for(consumer)
    with CaptureQueriesContext(connection) as two:
        assert client.get(URL).json()["count"] == 2
    for n in range(2, 8):
        environment = EnvironmentFactory(
            project=consumer_project, profile=profile, consumer_glue_database=f"db{n}"
        )
        SubscriptionGrant.objects.create(
            subscription=SubscriptionGrant.objects.first().subscription,
            environment=environment,
            backend=GrantBackend.LAKE_FORMATION,
        )
    with CaptureQueriesContext(connection) as eight:
        assert client.get(URL).json()["count"] == 8
    assert len(eight) == len(two)


def test_environment_roles_api(consumer_environment, api_client_for, consumer, outsider):
    client = api_client_for(consumer)
    arn = "arn:aws:iam::111111111111:role/marketing-bi"
    answer = client.post(
        "/api/v1/environment-roles/",
        {"environment": str(consumer_environment.pk), "role_arn": arn},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    role_id = answer.json()["id"]
    listed = client.get("/api/v1/environment-roles/", {"environment": consumer_environment.pk})
    assert [r["role_arn"] for r in listed.json()["results"]] == [arn]
    bad = client.post(
        "/api/v1/environment-roles/",
        {"environment": str(consumer_environment.pk), "role_arn": "nope"},
        format="json",
    )
    assert bad.status_code == 400
    assert "role_arn" in bad.json()
    assert (
        api_client_for(outsider).delete(f"/api/v1/environment-roles/{role_id}/").status_code == 404
    )
    assert client.delete(f"/api/v1/environment-roles/{role_id}/").status_code == 204
