"""Who may do what through the catalog API: the persona × action matrix.

Every endpoint and action of the catalog API (data sources, runs, activities, assets,
revisions, suggestions), walked for each persona. Inventory is visible to the owning
project's members and to the domain's stewards; anyone else gets 404, platform admins
included (they run the platform, not the domains' data). Visible objects the persona may
not change answer 403 (VIEWER, or a steward who is not a member); anonymous requests 401
(with a WWW-Authenticate challenge). Refusals and reads leave the database as it was.

The requests run inside the test's transaction, so a started run stays REQUESTED (its
task is enqueued on commit, which never comes): the matrix needs no AWS.
"""

from types import SimpleNamespace

import pytest
from django.db.models import Q

from catalog import models
from catalog.choices import RunStatus, SuggestionStatus
from tests.catalog.factories import (
    AssetFactory,
    AssetRevisionFactory,
    DataSourceFactory,
    DataSourceRunFactory,
    RunActivityFactory,
    SuggestionFactory,
)
from tests.permissions import (
    API,
    MEMBERS_READ,
    Action,
    assert_response,
    by_persona,
    contributor_writes,
    everyone,
    matrix_test,
    model_state,
    reads,
)

# Members and the domain's stewards read the inventory; nobody else sees it.
READ = MEMBERS_READ


def source_renamed(w):
    w.source.refresh_from_db()
    assert w.source.description == "Every film table."


def source_created(w):
    assert models.DataSource.objects.filter(name="films-CuratedZoneDB-2").exists()


def spare_deleted(w):
    assert not models.DataSource.objects.filter(pk=w.spare_source.pk).exists()


def asset_renamed(w):
    w.asset.refresh_from_db()
    assert w.asset.business_name == "Films"


def run_requested(w):
    assert w.source.runs.filter(status=RunStatus.REQUESTED).count() == 1


def suggestion_is(status):
    def check(w):
        w.suggestion.refresh_from_db()
        assert w.suggestion.status == status

    return check


def all_suggestions_are(status):
    def check(w):
        assert set(w.asset.suggestions.values_list("status", flat=True)) == {status}

    return check


ACTIONS = [
    # --- data sources --------------------------------------------------------------------
    *reads("source", "data-sources", lambda w: w.source, READ),
    Action(
        # A project the persona cannot see is "does not exist" (400 on the field), the same
        # answer as for an id that never existed; a visible one needs CONTRIBUTOR.
        "source-create",
        "post",
        lambda w: f"{API}/data-sources/",
        by_persona(
            platform_admin=400, steward=403, owner=201, contributor=201, viewer=403, outsider=400
        ),
        lambda w: {
            "project": str(w.project.pk),
            "environment": str(w.environment.pk),
            "name": "films-CuratedZoneDB-2",
            "type": "GLUE",
            "database": "curatedzonedb",
        },
        source_created,
    ),
    Action(
        "source-update",
        "patch",
        lambda w: f"{API}/data-sources/{w.source.pk}/",
        contributor_writes(200),
        lambda w: {"description": "Every film table."},
        source_renamed,
    ),
    Action(
        "source-delete",
        "delete",
        lambda w: f"{API}/data-sources/{w.spare_source.pk}/",
        contributor_writes(204),
        effect=spare_deleted,
    ),
    Action("source-runs", "get", lambda w: f"{API}/data-sources/{w.source.pk}/runs/", READ),
    Action(
        "source-run-start",
        "post",
        lambda w: f"{API}/data-sources/{w.source.pk}/runs/",
        contributor_writes(201),
        effect=run_requested,
    ),
    # --- runs and activities -------------------------------------------------------------
    *reads("run", "data-source-runs", lambda w: w.run, READ),
    Action(
        "run-activities",
        "get",
        lambda w: f"{API}/data-source-runs/{w.run.pk}/activities/",
        READ,
    ),
    Action("run-delete", "delete", lambda w: f"{API}/data-source-runs/{w.run.pk}/", everyone(405)),
    # --- assets ----------------------------------------------------------------------------
    *reads("asset", "assets", lambda w: w.asset, READ),
    Action(
        "asset-create",
        "post",
        lambda w: f"{API}/assets/",
        everyone(405),
        lambda w: {"technical_name": "x"},
    ),
    Action(
        "asset-update",
        "patch",
        lambda w: f"{API}/assets/{w.asset.pk}/",
        contributor_writes(200),
        lambda w: {"business_name": "Films"},
        asset_renamed,
    ),
    Action("asset-delete", "delete", lambda w: f"{API}/assets/{w.asset.pk}/", everyone(405)),
    Action("revision-list", "get", lambda w: f"{API}/assets/{w.asset.pk}/revisions/", READ),
    Action("revision-retrieve", "get", lambda w: f"{API}/assets/{w.asset.pk}/revisions/1/", READ),
    Action("suggestion-list", "get", lambda w: f"{API}/assets/{w.asset.pk}/predictions/", READ),
    Action(
        "suggestion-accept",
        "post",
        lambda w: f"{API}/assets/{w.asset.pk}/predictions/{w.suggestion.pk}/accept/",
        contributor_writes(200),
        effect=suggestion_is(SuggestionStatus.ACCEPTED),
    ),
    Action(
        "suggestion-reject",
        "post",
        lambda w: f"{API}/assets/{w.asset.pk}/predictions/{w.suggestion.pk}/reject/",
        contributor_writes(200),
        effect=suggestion_is(SuggestionStatus.REJECTED),
    ),
    Action(
        "suggestion-accept-all",
        "post",
        lambda w: f"{API}/assets/{w.asset.pk}/predictions/accept-all/",
        contributor_writes(200),
        effect=all_suggestions_are(SuggestionStatus.ACCEPTED),
    ),
    Action(
        "suggestion-reject-all",
        "post",
        lambda w: f"{API}/assets/{w.asset.pk}/predictions/reject-all/",
        contributor_writes(200),
        effect=all_suggestions_are(SuggestionStatus.REJECTED),
    ),
]


@pytest.fixture
def world(project, lake):
    """A producing project's inventory after one import, next to the personas' rows."""
    source = DataSourceFactory(project=project, environment=lake, name="films")
    run = DataSourceRunFactory(data_source=source, total=1, processed=1, added=1)
    asset = AssetFactory(data_source=source, technical_name="film_category", columns=4)
    AssetRevisionFactory(asset=asset)
    RunActivityFactory(run=run, table_name="film_category", asset=asset)
    suggestion = SuggestionFactory(asset=asset, value="Film Category")
    SuggestionFactory(asset=asset, column=asset.columns.get(position=1), value="Column 1")
    return SimpleNamespace(
        project=project,
        environment=lake,
        source=source,
        spare_source=DataSourceFactory(project=project, environment=lake, name="spare"),
        run=run,
        asset=asset,
        suggestion=suggestion,
    )


def check_response(response, expected):
    assert_response(
        response, expected, success_keys=("id", "revision", "results", "accepted", "rejected")
    )


def database_state():
    """Row counts and latest changes of the catalog: a refused request or a read leaves
    all of it as it was."""
    state = model_state(models.DataSource, models.DataSourceRun, models.Asset, models.Suggestion)
    for model in (models.AssetColumn, models.AssetRevision, models.RunActivity):
        state[model.__name__] = model.objects.count()
    state["decided"] = models.Suggestion.objects.filter(
        ~Q(status=SuggestionStatus.PROPOSED)
    ).count()
    state["business_names"] = sorted(
        models.Asset.objects.values_list("business_name", flat=True)
    ) + sorted(models.AssetColumn.objects.values_list("business_name", flat=True))
    state["detached"] = models.Asset.objects.filter(data_source__isnull=True).count()
    return state


test_matrix = matrix_test(ACTIONS, database_state, check_response=check_response)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["owner", "steward", "viewer"], indirect=True)
def test_lists_show_the_inventory_to_those_who_see_the_project(persona, world, api_client_for):
    client = api_client_for(persona)

    for path, expected in (
        ("data-sources", ["films", "spare"]),
        ("assets", ["film_category"]),
    ):
        body = client.get(f"{API}/{path}/").json()
        names = [row.get("name") or row.get("technical_name") for row in body["results"]]
        assert names == expected
    assert [r["id"] for r in client.get(f"{API}/data-source-runs/").json()["results"]] == [
        str(world.run.pk)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "platform_admin"], indirect=True)
def test_lists_hide_the_inventory_from_everyone_else(persona, world, api_client_for):
    client = api_client_for(persona)

    for path in ("data-sources", "data-source-runs", "assets"):
        assert client.get(f"{API}/{path}/").json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }


@pytest.mark.django_db
def test_a_suggestion_of_another_asset_is_not_found(world, owner, api_client_for):
    """The suggestion's id must belong to the asset in the path, even when both are
    visible: otherwise a URL could decide a suggestion it does not name."""
    other = AssetFactory(data_source=world.source, technical_name="streaming_films")
    foreign = SuggestionFactory(asset=other, value="Streaming Films")

    response = api_client_for(owner).post(
        f"{API}/assets/{world.asset.pk}/predictions/{foreign.pk}/accept/"
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == SuggestionStatus.PROPOSED
