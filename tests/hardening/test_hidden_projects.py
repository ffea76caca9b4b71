"""A project the user may not see answers exactly as one that does not exist (issue 9,
"What a hidden project must not reveal")."""

import uuid

import pytest

from glossary.models import FormType, Glossary
from tests.projects.factories import ProjectFactory

API = "/api/v1"


@pytest.fixture
def hidden(domain):
    return ProjectFactory(domain=domain, name="Hidden Project Zeta")


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["glossaries", "form-types"])
def test_create_with_a_hidden_project_answers_like_a_missing_one(
    api_client_for, outsider, hidden, resource
):
    client = api_client_for(outsider)
    answers = []
    for project_id in (hidden.pk, uuid.uuid4()):
        response = client.post(
            f"{API}/{resource}/", {"owning_project": str(project_id), "name": "Mine"}
        )
        assert response.status_code == 400
        answers.append(str(response.json()).replace(str(project_id), "ID"))
    assert answers[0] == answers[1]
    assert "Zeta" not in answers[0]
    assert not Glossary.objects.exists() and not FormType.objects.exists()


@pytest.mark.django_db
def test_an_owner_still_creates_in_their_own_project(api_client_for, owner, project):
    response = api_client_for(owner).post(
        f"{API}/glossaries/", {"owning_project": str(project.pk), "name": "Media"}
    )
    assert response.status_code == 201, response.json()
