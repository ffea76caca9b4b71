"""`DELETE /api/v1/environments/{id}/` and the deletion pages: who may, what they answer,
and what a person sees while an environment is deleted."""

import pytest
from django.urls import reverse

from projects import services
from projects.choices import EnvironmentStatus
from projects.models import Environment
from tests.conftest import PERSONAS
from tests.permissions import personas
from tests.projects.factories import EnvironmentFactory

API = "/api/v1"

# Members, the domain's stewards and platform admins see the environment; only OWNERs
# delete it (platform admins are not members).
DELETE_EXPECTED = {
    "platform_admin": 403,
    "steward": 403,
    "owner": 202,
    "contributor": 403,
    "viewer": 403,
    "outsider": 404,
    "anonymous": 401,
}
PAGE_EXPECTED = {**DELETE_EXPECTED, "owner": 200, "anonymous": "login"}


def lake(project, profile, owner, **fields) -> Environment:
    """A data lake environment row with the names creation derives (nothing in AWS)."""
    environment = EnvironmentFactory(
        project=project, profile=profile, created_by=owner, **{"name": "lake", **fields}
    )
    for field, value in services.derive_resource_names(environment).items():
        setattr(environment, field, value)
    environment.save()
    return environment


# --- API --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@personas([pytest.param(p, DELETE_EXPECTED[p], id=p) for p in PERSONAS])
def test_delete_matrix(persona, expected, project, profile, owner, api_client_for, aws):
    environment = lake(project, profile, owner)

    response = api_client_for(persona).delete(f"{API}/environments/{environment.pk}/")

    assert response.status_code == expected, response.content[:500]
    environment.refresh_from_db()
    if expected == 202:
        # Tasks run eagerly on commit here, so the deletion has already finished.
        assert response.json()["id"] == str(environment.pk)
        assert environment.status == EnvironmentStatus.DELETED, environment.last_error
    else:
        assert "detail" in response.json()
        assert environment.status == EnvironmentStatus.ACTIVE
    if expected == 403 and persona is not None:
        assert "Only a project owner can delete environments" in response.json()["detail"]


@pytest.mark.django_db
def test_delete_answers_202_deleting_and_repeating_it_changes_nothing(
    project, profile, owner, api_client_for
):
    # No transaction=True: on_commit never runs, as when a worker has not picked it up yet.
    environment = lake(project, profile, owner)
    client = api_client_for(owner)

    response = client.delete(f"{API}/environments/{environment.pk}/")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "DELETING"
    assert body["deletion_started_at"] is not None and body["deleted_at"] is None

    again = client.delete(f"{API}/environments/{environment.pk}/")
    assert again.status_code == 202
    assert again.json()["status"] == "DELETING"
    assert again.json()["deletion_started_at"] == body["deletion_started_at"]

    listed = client.get(f"{API}/environments/", {"status": "DELETING"}).json()
    assert [row["id"] for row in listed["results"]] == [str(environment.pk)]


@pytest.mark.django_db
def test_a_creating_environment_is_a_conflict(project, profile, owner, api_client_for):
    environment = lake(project, profile, owner, status=EnvironmentStatus.CREATING)

    response = api_client_for(owner).delete(f"{API}/environments/{environment.pk}/")

    assert response.status_code == 409
    assert "wait until provisioning has finished" in response.json()["detail"]
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.CREATING


@pytest.mark.django_db
def test_a_deleted_environment_is_left_out_of_lists_but_still_answers(
    project, profile, owner, api_client_for
):
    environment = lake(project, profile, owner, status=EnvironmentStatus.DELETED)
    lake(project, profile, owner, name="lake")  # the name is free again
    client = api_client_for(owner)

    fetched = client.get(f"{API}/environments/{environment.pk}/")
    assert fetched.status_code == 200 and fetched.json()["status"] == "DELETED"
    names = [row["id"] for row in client.get(f"{API}/environments/").json()["results"]]
    assert str(environment.pk) not in names and len(names) == 1
    repeated = client.delete(f"{API}/environments/{environment.pk}/")
    assert repeated.status_code == 202 and repeated.json()["status"] == "DELETED"


@pytest.mark.django_db
@personas([pytest.param(p, DELETE_EXPECTED[p], id=p) for p in PERSONAS])
def test_retry_of_a_failed_deletion_matrix(
    persona, expected, project, profile, owner, api_client_for
):
    environment = lake(
        project,
        profile,
        owner,
        status=EnvironmentStatus.DELETE_FAILED,
        last_error="Removing Consumer Glue database: access denied.",
    )

    response = api_client_for(persona).post(f"{API}/environments/{environment.pk}/retry/")

    assert response.status_code == expected, response.content[:500]
    environment.refresh_from_db()
    if expected == 202:
        assert response.json()["status"] == "DELETING"
        assert response.json()["last_error"] == ""
        assert environment.status == EnvironmentStatus.DELETING
    else:
        assert environment.status == EnvironmentStatus.DELETE_FAILED


@pytest.mark.django_db
def test_delete_is_in_the_schema(api_client_for, owner):
    schema = api_client_for(owner).get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/environments/{id}/"]["delete"]
    assert "202" in operation["responses"] and "409" in operation["responses"]


# --- Pages ------------------------------------------------------------------------------


def check(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == expected, response.content[:500]


@pytest.mark.django_db
@personas([pytest.param(p, PAGE_EXPECTED[p], id=p) for p in PERSONAS])
def test_delete_page_matrix(persona, expected, project, profile, owner, client_for):
    environment = lake(project, profile, owner)
    url = reverse("environment-delete", args=[environment.pk])
    client = client_for(persona)

    response = client.get(url)
    check(response, expected)
    if expected == 200:
        assert b"Delete environment lake?" in response.content
        assert environment.producer_glue_database.encode() in response.content

    posted = client.post(url)
    check(posted, 302 if expected == 200 else expected)
    environment.refresh_from_db()
    expected_status = EnvironmentStatus.DELETING if expected == 200 else EnvironmentStatus.ACTIVE
    assert environment.status == expected_status


@pytest.mark.django_db
def test_the_environment_page_offers_delete_to_owners_only(
    project, profile, owner, contributor, client_for
):
    environment = lake(project, profile, owner)
    url = reverse("environment-detail", args=[environment.pk])

    assert b'data-testid="environment-delete-link"' in client_for(owner).get(url).content
    assert b'data-testid="environment-delete-link"' not in client_for(contributor).get(url).content


@pytest.mark.django_db
def test_a_deleting_environment_polls_and_shows_the_deletion_steps(
    project, profile, owner, client_for
):
    environment = lake(
        project,
        profile,
        owner,
        status=EnvironmentStatus.DELETING,
        deletion_steps={"revoke_grants": "2026-12-01T10:00:00+00:00"},
    )
    client = client_for(owner)
    url = reverse("environment-detail", args=[environment.pk])

    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "1 of 6 removed" in page
    assert "Removing from AWS" in page
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="environment-panel"')
    assert 'data-testid="deletion-steps"' in fragment
    assert "environment-delete-link" not in fragment


@pytest.mark.django_db
def test_a_failed_deletion_shows_why_and_retry_for_owners(
    project, profile, owner, contributor, client_for
):
    environment = lake(
        project,
        profile,
        owner,
        status=EnvironmentStatus.DELETE_FAILED,
        last_error="Removing Consumer Glue database: access denied in account 111111111111.",
    )
    url = reverse("environment-detail", args=[environment.pk])

    owner_page = client_for(owner).get(url).content.decode()
    assert "Deletion failed" in owner_page and "access denied in account" in owner_page
    assert reverse("environment-delete", args=[environment.pk]) in owner_page
    assert 'hx-trigger="every 2s"' not in owner_page
    contributor_page = client_for(contributor).get(url).content.decode()
    assert "An owner of the project can retry" in contributor_page

    response = client_for(owner).post(reverse("environment-delete", args=[environment.pk]))
    assert response.status_code == 302
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DELETING and environment.last_error == ""


@pytest.mark.django_db
def test_a_deleted_environment_page_says_so_and_the_project_lists_it_no_more(
    project, profile, owner, client_for
):
    environment = lake(project, profile, owner, status=EnvironmentStatus.DELETED)
    client = client_for(owner)

    page = client.get(reverse("environment-detail", args=[environment.pk])).content.decode()
    assert "DELETED" in page and "6 of 6 removed" in page
    project_page = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert reverse("environment-detail", args=[environment.pk]) not in project_page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [EnvironmentStatus.DELETING, EnvironmentStatus.DELETE_FAILED, EnvironmentStatus.DELETED],
)
def test_no_data_source_is_added_to_an_environment_being_deleted(status, project, profile, owner):
    from django.core.exceptions import ValidationError

    from tests.catalog.factories import create_glue_source

    environment = lake(project, profile, owner, status=status)
    with pytest.raises(ValidationError) as caught:
        create_glue_source(owner, project, environment)
    assert caught.value.message_dict["environment"] == ["This environment is being deleted."]
