"""Who may open which catalog page and do which action, persona by persona.

Data sources, runs and inventory assets are visible to the project's members and the
domain's stewards; anything else is a 404 (not a 403). Visible objects a persona may not
change are a 403; anonymous visitors are sent to the sign-in page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from catalog.choices import RunStatus, SuggestionStatus
from catalog.models import Asset, DataSource, DataSourceRun, Suggestion
from tests.catalog.test_pages import make_asset, make_data_source, make_environment, make_run
from tests.permissions import CONTRIBUTOR_PAGE, CONTRIBUTOR_POST, MEMBER_PAGE, check, personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(data_source):
    return make_run(data_source, activities=3)


@pytest.fixture
def asset(project, data_source):
    return make_asset(project, data_source)


# Reading: every member and the domain's stewards; staff who are not members do not.
READERS = MEMBER_PAGE
# Writing: contributors and owners; stewards and viewers see the object but may not.
WRITERS = CONTRIBUTOR_POST
WRITER_PAGES = CONTRIBUTOR_PAGE


@personas(READERS)
@pytest.mark.parametrize(
    "url_name", ["data-source-detail", "data-source-run-detail", "inventory", "asset-detail"]
)
def test_pages_are_for_members_and_stewards(
    client_for, project, data_source, run, asset, persona, expected, url_name
):
    target = {
        "data-source-detail": data_source,
        "data-source-run-detail": run,
        "inventory": project,
        "asset-detail": asset,
    }[url_name]
    check(client_for(persona).get(reverse(url_name, args=[target.pk])), expected)


@personas(READERS)
def test_run_page_partial_follows_the_page(client_for, run, persona, expected):
    response = client_for(persona).get(
        reverse("data-source-run-detail", args=[run.pk]), headers={"HX-Request": "true"}
    )
    check(response, expected)


@personas(WRITER_PAGES)
@pytest.mark.parametrize("url_name", ["data-source-create", "data-source-edit"])
def test_form_pages_are_for_contributors(
    client_for, project, data_source, persona, expected, url_name
):
    target = project if url_name == "data-source-create" else data_source
    check(client_for(persona).get(reverse(url_name, args=[target.pk])), expected)


# What the data source form posts besides its name, environment and filters.
SOURCE_FORM = {
    "type": "GLUE",
    "database_name": "curatedzonedb",
    "schedule_timezone": "UTC",
    "enabled": "on",
}


@personas(WRITERS)
def test_data_source_create_action(client_for, project, environment, persona, expected):
    response = client_for(persona).post(
        reverse("data-source-create", args=[project.pk]),
        {
            **SOURCE_FORM,
            "name": "films-CuratedZoneDB",
            "environment": environment.pk,
            "filters": "INCLUDE *",
        },
    )
    check(response, expected)
    created = DataSource.objects.filter(project=project, name="films-CuratedZoneDB")
    assert created.exists() == (expected == 302)
    if expected == 302:
        assert response["Location"] == reverse("data-source-detail", args=[created.get().pk])


@personas(WRITERS)
def test_data_source_edit_action(client_for, data_source, persona, expected):
    response = client_for(persona).post(
        reverse("data-source-edit", args=[data_source.pk]),
        {**SOURCE_FORM, "name": "renamed", "environment": data_source.environment_id},
    )
    check(response, expected)
    data_source.refresh_from_db()
    assert data_source.name == ("renamed" if expected == 302 else "films-CuratedZoneDB")


@personas(WRITERS)
def test_data_source_toggle_action(client_for, data_source, persona, expected):
    check(client_for(persona).post(reverse("data-source-toggle", args=[data_source.pk])), expected)
    data_source.refresh_from_db()
    assert data_source.enabled == (expected != 302)


@personas(WRITERS)
def test_data_source_delete_action(client_for, data_source, asset, persona, expected):
    check(client_for(persona).post(reverse("data-source-delete", args=[data_source.pk])), expected)
    assert DataSource.objects.filter(pk=data_source.pk).exists() == (expected != 302)
    assert Asset.objects.filter(pk=asset.pk).exists()  # assets always stay


@personas(WRITERS)
def test_data_source_run_action(client_for, data_source, persona, expected):
    # The `db` fixture never runs on_commit callbacks: a started run stays REQUESTED and
    # no AWS call is made.
    response = client_for(persona).post(reverse("data-source-run", args=[data_source.pk]))
    check(response, expected)
    runs = DataSourceRun.objects.filter(data_source=data_source)
    assert runs.exists() == (expected == 302)
    if expected == 302:
        assert runs.get().status == RunStatus.REQUESTED
        assert response["Location"] == reverse("data-source-run-detail", args=[runs.get().pk])


@personas(WRITERS)
@pytest.mark.parametrize(
    "url_name, status", [("suggestion-accept", "ACCEPTED"), ("suggestion-reject", "REJECTED")]
)
def test_suggestion_actions(client_for, asset, persona, expected, url_name, status):
    suggestion = asset.suggestions.get(column__isnull=True)
    response = client_for(persona).post(reverse(url_name, args=[suggestion.pk]))
    check(response, expected)
    suggestion.refresh_from_db()
    assert suggestion.status == (status if expected == 302 else SuggestionStatus.PROPOSED)
    asset.refresh_from_db()
    assert asset.business_name == (
        "Film_Category" if status == "ACCEPTED" and expected == 302 else ""
    )


@personas(WRITERS)
@pytest.mark.parametrize(
    "url_name, status",
    [
        ("asset-suggestions-accept-all", "ACCEPTED"),
        ("asset-suggestions-reject-all", "REJECTED"),
    ],
)
def test_all_suggestions_actions(client_for, asset, persona, expected, url_name, status):
    response = client_for(persona).post(reverse(url_name, args=[asset.pk]))
    check(response, expected)
    statuses = set(Suggestion.objects.filter(asset=asset).values_list("status", flat=True))
    assert statuses == {status if expected == 302 else SuggestionStatus.PROPOSED}


@pytest.mark.parametrize(
    "persona, edits",
    [("steward", False), ("owner", True), ("contributor", True), ("viewer", False)],
    indirect=["persona"],
)
def test_only_the_allowed_controls_are_shown(
    client_for, project, data_source, run, asset, persona, edits
):
    client = client_for(persona)

    project_page = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert data_source.name in project_page  # everyone who sees the project sees its sources
    assert reverse("inventory", args=[project.pk]) in project_page
    assert (reverse("data-source-create", args=[project.pk]) in project_page) == edits

    source_page = client.get(reverse("data-source-detail", args=[data_source.pk])).content.decode()
    assert 'data-testid="run-table"' in source_page
    assert ('data-testid="run-button"' in source_page) == edits
    assert (reverse("data-source-edit", args=[data_source.pk]) in source_page) == edits
    assert (reverse("data-source-toggle", args=[data_source.pk]) in source_page) == edits
    assert (reverse("data-source-delete", args=[data_source.pk]) in source_page) == edits

    asset_page = client.get(reverse("asset-detail", args=[asset.pk])).content.decode()
    assert 'data-testid="suggestion-table"' in asset_page  # suggestions are readable by all
    assert ("Accept all</button>" in asset_page) == edits
    assert ("Reject all</button>" in asset_page) == edits
    suggestion = asset.suggestions.first()
    assert (reverse("suggestion-accept", args=[suggestion.pk]) in asset_page) == edits
    assert (reverse("suggestion-reject", args=[suggestion.pk]) in asset_page) == edits

    inventory = client.get(reverse("inventory", args=[project.pk])).content.decode()
    assert asset.technical_name in inventory
    assert (reverse("data-source-create", args=[project.pk]) in inventory) == edits


def test_a_viewer_gets_the_reason_on_the_403_page(client_for, data_source, viewer):
    response = client_for(viewer).post(reverse("data-source-run", args=[data_source.pk]))
    assert response.status_code == 403
    assert "Only a project contributor or owner can run data sources." in response.content.decode()
    assert "403.html" in [t.name for t in response.templates]


def test_another_projects_objects_are_404_even_to_an_owner(
    client_for, project, profile, owner, outsider
):
    """An owner of one project reaches nothing of another project by its ids."""
    from tests.projects.factories import ProjectFactory, ProjectMembershipFactory

    other = ProjectFactory(domain=project.domain, name="marketing-team-analysis")
    ProjectMembershipFactory(project=other, user=outsider, designation="OWNER")
    foreign_source = make_data_source(other, make_environment(other, profile, name="mkt"))
    foreign_asset = make_asset(other, foreign_source, "campaigns")
    foreign_run = make_run(foreign_source)
    client = client_for(owner)
    for url in (
        reverse("data-source-detail", args=[foreign_source.pk]),
        reverse("data-source-run-detail", args=[foreign_run.pk]),
        reverse("inventory", args=[other.pk]),
        reverse("asset-detail", args=[foreign_asset.pk]),
    ):
        assert client.get(url).status_code == 404
    suggestion = foreign_asset.suggestions.first()
    assert client.post(reverse("suggestion-accept", args=[suggestion.pk])).status_code == 404
    assert client.post(reverse("data-source-run", args=[foreign_source.pk])).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PROPOSED
    # The owner's own inventory never lists the other project's assets.
    html = client.get(reverse("inventory", args=[project.pk])).content.decode()
    assert "campaigns" not in html


def test_posts_need_a_csrf_token(data_source, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("data-source-run", args=[data_source.pk]))
    assert response.status_code == 403
    assert not DataSourceRun.objects.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "data-source-run",
        "data-source-toggle",
        "data-source-delete",
        "suggestion-accept",
        "suggestion-reject",
        "asset-suggestions-accept-all",
        "asset-suggestions-reject-all",
    ],
)
def test_actions_refuse_get(client_for, owner, data_source, asset, url_name):
    target = {
        "data-source-run": data_source,
        "data-source-toggle": data_source,
        "data-source-delete": data_source,
        "suggestion-accept": asset.suggestions.first(),
        "suggestion-reject": asset.suggestions.first(),
        "asset-suggestions-accept-all": asset,
        "asset-suggestions-reject-all": asset,
    }[url_name]
    assert client_for(owner).get(reverse(url_name, args=[target.pk])).status_code == 405
    assert DataSource.objects.filter(pk=data_source.pk, enabled=True).exists()
