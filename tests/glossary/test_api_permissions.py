"""Who may do what through the glossary API: the persona × action matrix.

A domain's vocabulary is read by every signed-in user. The domain's stewards (and
owners) manage its glossaries, form types and publishing rule; the OWNERs of a
glossary's or form's owning project manage that one too (not the rule). Everyone else
gets 403 on writes; anonymous requests get 401 (with a WWW-Authenticate challenge).
Unknown ids are 404. A refused or read-only request changes nothing.
"""

from types import SimpleNamespace

import pytest

from glossary.models import FormField, FormType, Glossary, GlossaryTerm, PublishingRule
from tests.glossary.factories import FormTypeFactory, GlossaryFactory, GlossaryTermFactory
from tests.permissions import (
    API,
    MISSING,
    Action,
    assert_response,
    everyone,
    matrix_test,
    model_state,
    reads,
)

CSV = "name,short_description,parents\nCategory,Groups of films,\nGenre,Style,Category\n"


def managers(success: int) -> dict:
    """Stewards of the domain and owners of the owning project; not staff as such."""
    return {**everyone(403), "steward": success, "owner": success}


def creators(success: int) -> dict:
    """Create with an owning project: who cannot see the project gets the 400 of an id
    that does not exist (issue 9), who sees it without managing it 403 (platform admins
    read every project, so they are told they cannot create there)."""
    return {**managers(success), "outsider": 400}


def stewards(success: int) -> dict:
    return {**everyone(403), "steward": success}


ACTIONS = [
    # --- glossaries ---------------------------------------------------------------------
    *reads("glossary", "glossaries", lambda w: w.media, everyone(200), missing=everyone(404)),
    Action(
        "glossary-create",
        "post",
        lambda w: f"{API}/glossaries/",
        creators(201),
        lambda w: {"owning_project": str(w.project.pk), "name": "Finance"},
    ),
    Action(
        "glossary-update",
        "patch",
        lambda w: f"{API}/glossaries/{w.media.pk}/",
        managers(200),
        lambda w: {"status": "DISABLED"},
    ),
    Action(
        "glossary-update-missing",
        "patch",
        lambda w: f"{API}/glossaries/{MISSING}/",
        everyone(404),
        lambda w: {"status": "DISABLED"},
    ),
    Action("glossary-delete", "delete", lambda w: f"{API}/glossaries/{w.media.pk}/", everyone(405)),
    Action(
        "glossary-export", "get", lambda w: f"{API}/glossaries/{w.media.pk}/export/", everyone(200)
    ),
    Action(
        "glossary-import",
        "post",
        lambda w: f"{API}/glossaries/{w.media.pk}/import/",
        managers(200),
        lambda w: {"file": w.upload()},
        format="multipart",
    ),
    # --- terms --------------------------------------------------------------------------
    *reads("term", "glossary-terms", lambda w: w.term, everyone(200), missing=everyone(404)),
    Action(
        "term-create",
        "post",
        lambda w: f"{API}/glossary-terms/",
        managers(201),
        lambda w: {"glossary": str(w.media.pk), "name": "Rating", "is_a": [str(w.term.pk)]},
    ),
    Action(
        "term-update",
        "patch",
        lambda w: f"{API}/glossary-terms/{w.term.pk}/",
        managers(200),
        lambda w: {"synonyms": ["kind"]},
    ),
    Action("term-delete", "delete", lambda w: f"{API}/glossary-terms/{w.term.pk}/", everyone(405)),
    # --- form types ---------------------------------------------------------------------
    *reads("form-type", "form-types", lambda w: w.form_type, everyone(200)),
    Action(
        "form-type-create",
        "post",
        lambda w: f"{API}/form-types/",
        creators(201),
        lambda w: {
            "owning_project": str(w.project.pk),
            "name": "Retention",
            "fields": [{"label": "Days", "type": "INTEGER"}],
        },
    ),
    Action(
        "form-type-update",
        "patch",
        lambda w: f"{API}/form-types/{w.form_type.pk}/",
        managers(200),
        lambda w: {"fields": [{"label": "Owner", "type": "EMAIL", "required": True}]},
    ),
    Action(
        "form-type-delete",
        "delete",
        lambda w: f"{API}/form-types/{w.form_type.pk}/",
        everyone(405),
    ),
    # --- publishing rules ---------------------------------------------------------------
    # A domain's rule is read at the domain's id.
    *reads("rule", "publishing-rules", lambda w: w.domain, everyone(200), missing=everyone(404)),
    Action(
        "rule-set",
        "put",
        lambda w: f"{API}/publishing-rules/{w.domain.pk}/",
        stewards(200),
        lambda w: {
            "required_form_types": [str(w.form_type.pk)],
            "required_glossary_terms": [str(w.term.pk)],
        },
    ),
]


@pytest.fixture
def world(project, domain, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    media = GlossaryFactory(owning_project=project, name="Media")
    return SimpleNamespace(
        project=project,
        domain=domain,
        media=media,
        term=GlossaryTermFactory(glossary=media, name="Genre"),
        form_type=FormTypeFactory(owning_project=project, name="Data owner"),
        upload=lambda: SimpleUploadedFile("terms.csv", CSV.encode(), content_type="text/csv"),
    )


def database_state():
    state = model_state(Glossary, GlossaryTerm, FormType, PublishingRule)
    state["fields"] = sorted(FormField.objects.values_list("form_type_id", "name", "type"))
    state["is_a"] = GlossaryTerm.is_a.through.objects.count()
    return state


def check_response(response, expected):
    if expected == 400:  # an owning project the persona cannot see: as if it did not exist
        assert response.status_code == expected, (response.status_code, response.content[:500])
        assert "does not exist" in str(response.json()["owning_project"]), response.json()
    elif expected < 400 and "text/csv" in response["Content-Type"]:
        assert response.status_code == expected, (response.status_code, response.content[:500])
        assert response.content.startswith(b"name,short_description")
    else:
        assert_response(
            response,
            expected,
            success_keys=("id", "results", "created", "domain"),
            strict_detail=True,
        )


test_matrix = matrix_test(ACTIONS, database_state, check_response=check_response)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["steward", "owner"], indirect=True)
def test_owner_of_another_project_manages_only_its_own_glossaries(persona, world, api_client_for):
    """An OWNER of Film Catalog Project manages its glossary, not a glossary owned by
    another project of the domain; the domain's steward manages both."""
    from tests.projects.factories import ProjectFactory

    other = GlossaryFactory(owning_project=ProjectFactory(domain=world.domain), name="Series")
    response = api_client_for(persona).patch(
        f"{API}/glossaries/{other.pk}/", {"description": "Changed"}, format="json"
    )

    other.refresh_from_db()
    if persona.username == "domain-steward":
        assert response.status_code == 200
        assert other.description == "Changed"
    else:
        assert response.status_code == 403
        assert "owner of project" in response.json()["detail"]
        assert other.description != "Changed"
