"""The catalog API: the scenario's import and enrichment (steps 4–5) against moto, how
bad input and conflicting requests are answered, filters, and that lists cost a constant
number of queries. Permissions per persona are in test_api_permissions.py."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import RunStatus, SuggestionStatus
from catalog.models import Asset, AssetRevision, DataSource, DataSourceRun, Suggestion
from meshportal.demo import seed_aws
from projects.choices import Blueprint, Designation, EnvironmentStatus
from tests.catalog.factories import (
    AssetColumnFactory,
    AssetFactory,
    AssetRevisionFactory,
    DataSourceFactory,
    DataSourceRunFactory,
    RunActivityFactory,
    SuggestionFactory,
)
from tests.permissions import API, MISSING, assert_field_error, assert_not_found, row_counts
from tests.projects.factories import (
    EnvironmentFactory,
    EnvironmentProfileFactory,
    ProjectFactory,
    ProjectMembershipFactory,
)


def counts():
    """Row counts of everything a data-source write could leave half-made."""
    return row_counts(DataSource, DataSourceRun, Asset, AssetRevision, Suggestion)


@pytest.fixture
def warehouse(project, profile):
    """An ACTIVE DATA_WAREHOUSE environment of the same project."""
    warehouse_profile = EnvironmentProfileFactory(
        domain=project.domain,
        aws_account=profile.aws_account,
        name="Warehouse",
        blueprint=Blueprint.DATA_WAREHOUSE,
        parameters={"host": "h", "database": "dev", "user": "u", "password_env": "P"},
    )
    return EnvironmentFactory(project=project, profile=warehouse_profile, name="dwh")


def films_source_body(project, lake, **overrides):
    """`films-CuratedZoneDB` as SCENARIO.md step 4 fills it in."""
    return {
        "project": str(project.pk),
        "environment": str(lake.pk),
        "name": "films-CuratedZoneDB",
        "description": "The curated zone's film tables.",
        "type": "GLUE",
        "database": "curatedzonedb",
        "filter_expressions": [{"type": "INCLUDE", "expression": "*"}],
        "publish_on_import": False,
        "generate_business_names": True,
        **overrides,
    }


# --- The scenario, steps 4 and 5 ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_scenario_import_run_again_and_accept_all_suggestions(
    owner, project, lake, aws, api_client_for
):
    seed_aws()
    client = api_client_for(owner)

    # Step 4: the producer adds the data source ...
    created = client.post(f"{API}/data-sources/", films_source_body(project, lake))
    assert created.status_code == 201, created.json()
    source = created.json()
    assert source["project"] == str(project.pk)
    assert source["project_name"] == "Film Catalog Project"
    assert source["environment"] == str(lake.pk)
    assert source["environment_name"] == "lake"
    assert source["type"] == "GLUE"
    assert source["database"] == "curatedzonedb"
    assert source["filter_expressions"] == [{"type": "INCLUDE", "expression": "*"}]
    assert (source["schedule"], source["schedule_timezone"], source["next_run_at"]) == (
        "",
        "UTC",
        None,
    )
    assert (source["enabled"], source["publish_on_import"], source["generate_business_names"]) == (
        True,
        False,
        True,
    )
    assert source["asset_count"] == 0
    assert source["latest_run"] is None
    assert source["created_by"] == "film-catalog-team-admin"

    # ... and runs it: three assets are added.
    started = client.post(f"{API}/data-sources/{source['id']}/runs/")
    assert started.status_code == 201, started.json()
    assert started.json()["type"] == "PRIORITIZED"
    assert started.json()["requested_by"] == "film-catalog-team-admin"
    assert started.json()["data_source"] == source["id"]
    first = client.get(f"{API}/data-source-runs/{started.json()['id']}/").json()
    assert first["status"] == "SUCCESS", first["error_message"]
    assert {k: first[k] for k in ("total", "processed", "added", "updated", "unchanged")} == {
        "total": 3,
        "processed": 3,
        "added": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert (first["archived"], first["failed"], first["progress_percent"]) == (0, 0, 100)
    assert (first["error_type"], first["error_message"]) == ("", "")
    assert first["started_at"] and first["finished_at"]
    assert first["data_source_name"] == "films-CuratedZoneDB"

    activities = client.get(f"{API}/data-source-runs/{first['id']}/activities/").json()
    assert activities["count"] == 3
    assert sorted((a["table_name"], a["status"]) for a in activities["results"]) == [
        ("category_streams", "SUCCEEDED_CREATED"),
        ("film_category", "SUCCEEDED_CREATED"),
        ("streaming_films", "SUCCEEDED_CREATED"),
    ]
    assert all(a["asset"] for a in activities["results"])

    shown = client.get(f"{API}/data-sources/{source['id']}/").json()
    assert shown["asset_count"] == 3
    assert shown["latest_run"] == {
        "id": first["id"],
        "status": "SUCCESS",
        "finished_at": first["finished_at"],
    }
    assert AssetRevision.objects.count() == 3

    # Running it again changes nothing: 3 unchanged, no new revisions.
    again = client.post(f"{API}/data-sources/{source['id']}/runs/")
    assert again.status_code == 201
    second = client.get(f"{API}/data-source-runs/{again.json()['id']}/").json()
    assert second["status"] == "SUCCESS"
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 3)
    unchanged = client.get(
        f"{API}/data-source-runs/{second['id']}/activities/", {"status": "UNCHANGED"}
    ).json()
    assert unchanged["count"] == 3
    assert AssetRevision.objects.count() == 3
    runs = client.get(f"{API}/data-sources/{source['id']}/runs/").json()
    assert [r["id"] for r in runs["results"]] == [second["id"], first["id"]]

    # The inventory.
    inventory = client.get(f"{API}/assets/", {"data_source": source["id"]}).json()
    assert [a["technical_name"] for a in inventory["results"]] == [
        "category_streams",
        "film_category",
        "streaming_films",
    ]
    by_name = {a["technical_name"]: a for a in inventory["results"]}
    assert by_name["film_category"]["column_count"] == 4
    assert by_name["film_category"]["type"] == "GLUE_TABLE"
    assert by_name["film_category"]["data_source_name"] == "films-CuratedZoneDB"

    film_category = by_name["film_category"]["id"]
    detail = client.get(f"{API}/assets/{film_category}/").json()
    assert detail["external_identifier"] == (
        "arn:aws:glue:us-east-1:111111111111:table/curatedzonedb/film_category"
    )
    assert detail["technical_metadata"]["location"] == (
        "s3://streaming-curated-zone/curated/film_category/"
    )
    assert detail["technical_metadata"]["format"] == "parquet"
    assert detail["business_name"] == ""
    assert detail["current_revision"] == 1
    assert detail["archived_at"] is None
    assert detail["data_source"] == source["id"]
    assert detail["proposed_prediction_count"] == 5
    assert [(c["position"], c["name"], c["data_type"]) for c in detail["columns"]] == [
        (1, "category_id", "bigint"),
        (2, "name", "string"),
        (3, "film_id", "bigint"),
        (4, "special_features", "array<string>"),
    ]
    streams = client.get(f"{API}/assets/{by_name['category_streams']['id']}/").json()
    assert [(c["name"], c["is_partition_key"]) for c in streams["columns"]] == [
        ("category_name", False),
        ("streams", False),
        ("stream_date", True),
    ]

    # Step 5: the suggested business names, the table's first, then its columns in order.
    suggestions = client.get(f"{API}/assets/{film_category}/predictions/").json()
    assert [(p["column"], p["value"], p["kind"], p["status"]) for p in suggestions["results"]] == [
        (None, "Film Category", "BUSINESS_NAME", "PROPOSED"),
        ("category_id", "Category ID", "BUSINESS_NAME", "PROPOSED"),
        ("name", "Name", "BUSINESS_NAME", "PROPOSED"),
        ("film_id", "Film ID", "BUSINESS_NAME", "PROPOSED"),
        ("special_features", "Special Features", "BUSINESS_NAME", "PROPOSED"),
    ]
    table_suggestion = suggestions["results"][0]["id"]

    accepted = client.post(f"{API}/assets/{film_category}/predictions/accept-all/")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json() == {"accepted": 5, "current_revision": 2}

    detail = client.get(f"{API}/assets/{film_category}/").json()
    assert detail["business_name"] == "Film Category"
    assert [c["business_name"] for c in detail["columns"]] == [
        "Category ID",
        "Name",
        "Film ID",
        "Special Features",
    ]
    assert detail["current_revision"] == 2
    assert detail["proposed_prediction_count"] == 0

    revisions = client.get(f"{API}/assets/{film_category}/revisions/").json()
    assert [(r["revision"], r["reason"]) for r in revisions["results"]] == [
        (2, "PREDICTION"),
        (1, "IMPORT"),
    ]
    newest = revisions["results"][0]
    assert newest["created_by"] == "film-catalog-team-admin"
    assert newest["changes"] == [
        "Business name set to \u201cFilm Category\u201d",
        "Column category_id business name set to \u201cCategory ID\u201d",
        "Column name business name set to \u201cName\u201d",
        "Column film_id business name set to \u201cFilm ID\u201d",
        "Column special_features business name set to \u201cSpecial Features\u201d",
    ]
    assert revisions["results"][1]["changes"] == ["Imported from AWS Glue curatedzonedb"]
    assert revisions["results"][1]["run"] == first["id"]
    assert "snapshot" not in newest
    snapshot = client.get(f"{API}/assets/{film_category}/revisions/2/").json()["snapshot"]
    assert snapshot["business_name"] == "Film Category"
    assert [c["business_name"] for c in snapshot["columns"]] == [
        "Category ID",
        "Name",
        "Film ID",
        "Special Features",
    ]
    first_snapshot = client.get(f"{API}/assets/{film_category}/revisions/1/").json()["snapshot"]
    assert first_snapshot["business_name"] == ""

    decided = client.get(f"{API}/assets/{film_category}/predictions/", {"status": "ACCEPTED"})
    assert decided.json()["count"] == 5
    assert client.get(f"{API}/assets/{film_category}/predictions/").json()["count"] == 0

    # A decided suggestion cannot be decided again.
    twice = client.post(f"{API}/assets/{film_category}/predictions/{table_suggestion}/accept/")
    assert twice.status_code == 409
    assert twice.json() == {"detail": "This suggestion was already accepted."}
    rejected = client.post(f"{API}/assets/{film_category}/predictions/{table_suggestion}/reject/")
    assert rejected.status_code == 409
    assert AssetRevision.objects.filter(asset_id=film_category).count() == 2

    # The business names survive a re-import, which writes no revision.
    third = client.post(f"{API}/data-sources/{source['id']}/runs/").json()
    assert client.get(f"{API}/data-source-runs/{third['id']}/").json()["unchanged"] == 3
    assert client.get(f"{API}/assets/{film_category}/").json()["business_name"] == "Film Category"
    assert AssetRevision.objects.filter(asset_id=film_category).count() == 2


@pytest.mark.django_db(transaction=True)
def test_filters_choose_the_tables_and_a_missing_database_fails_the_run(
    contributor, project, lake, aws, api_client_for
):
    seed_aws()
    client = api_client_for(contributor)
    filtered = client.post(
        f"{API}/data-sources/",
        films_source_body(
            project,
            lake,
            name="films only",
            filter_expressions=[
                {"type": "INCLUDE", "expression": "*film*"},
                {"type": "EXCLUDE", "expression": "streaming_*"},
            ],
        ),
    ).json()
    run = client.post(f"{API}/data-sources/{filtered['id']}/runs/").json()
    run = client.get(f"{API}/data-source-runs/{run['id']}/").json()
    assert (run["status"], run["total"], run["added"]) == ("SUCCESS", 1, 1)
    names = [a["technical_name"] for a in client.get(f"{API}/assets/").json()["results"]]
    assert names == ["film_category"]

    missing = client.post(
        f"{API}/data-sources/", films_source_body(project, lake, name="gone", database="nodb")
    ).json()
    run = client.post(f"{API}/data-sources/{missing['id']}/runs/").json()
    run = client.get(f"{API}/data-source-runs/{run['id']}/").json()
    assert (run["status"], run["error_type"]) == ("FAILED", "RESOURCE_NOT_FOUND")
    assert "Glue database 'nodb' does not exist" in run["error_message"]
    failed = client.get(f"{API}/data-source-runs/", {"status": "FAILED"}).json()
    assert [r["id"] for r in failed["results"]] == [run["id"]]


# --- Runs that cannot start ---------------------------------------------------------------


@pytest.mark.django_db
def test_starting_a_run_while_one_is_requested_answers_409_with_that_run(
    contributor, project, lake, api_client_for
):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    waiting = DataSourceRunFactory(data_source=source, status=RunStatus.REQUESTED)

    response = api_client_for(contributor).post(f"{API}/data-sources/{source.pk}/runs/")

    assert response.status_code == 409
    body = response.json()
    assert "already running" in body["detail"]
    assert body["run"]["id"] == str(waiting.pk)
    assert body["run"]["status"] == "REQUESTED"
    assert body["run"]["data_source"] == str(source.pk)
    assert DataSourceRun.objects.count() == 1


@pytest.mark.django_db
def test_a_disabled_source_or_an_inactive_environment_cannot_run(
    owner, project, lake, profile, api_client_for
):
    client = api_client_for(owner)
    disabled = DataSourceFactory(project=project, environment=lake, name="off", enabled=False)
    creating = EnvironmentFactory(
        project=project, profile=profile, name="new", status=EnvironmentStatus.CREATING
    )
    waiting = DataSourceFactory(project=project, environment=creating, name="waiting")

    off = client.post(f"{API}/data-sources/{disabled.pk}/runs/")
    assert off.status_code == 409
    assert off.json() == {"detail": "Data source 'off' is disabled; enable it to run it."}
    inactive = client.post(f"{API}/data-sources/{waiting.pk}/runs/")
    assert inactive.status_code == 409
    assert "Environment 'new' is creating" in inactive.json()["detail"]
    assert "ACTIVE" in inactive.json()["detail"]
    assert not DataSourceRun.objects.exists()


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_data_source_input_is_a_field_error_and_makes_nothing(
    owner, project, lake, warehouse, profile, api_client_for
):
    client = api_client_for(owner)
    other = ProjectFactory(domain=project.domain, name="Marketing")
    ProjectMembershipFactory(project=other, user=owner, designation=Designation.OWNER)
    other_lake = EnvironmentFactory(project=other, profile=profile, name="marketing-lake")
    hidden_lake = EnvironmentFactory(
        project=ProjectFactory(domain=project.domain, name="Hidden"), profile=profile
    )
    DataSourceFactory(project=project, environment=lake, name="films-CuratedZoneDB")
    before = counts()

    def post(**overrides):
        return client.post(f"{API}/data-sources/", films_source_body(project, lake, **overrides))

    assert_field_error(post(name="x", schedule="every night"), "schedule", "cron", "five fields")
    assert_field_error(post(name="x", schedule="0 2 * *"), "schedule", "five fields")
    # Well formed but never fires (31 February): a 400 naming the field, not a 500.
    assert_field_error(post(name="x", schedule="0 0 31 2 *"), "schedule", "never fires")
    assert_field_error(
        post(name="x", schedule="0 2 * * *", schedule_timezone="Mars/Olympus"),
        "schedule_timezone",
        "'Mars/Olympus' is not a time zone",
    )
    assert_field_error(
        post(name="x", filter_expressions=[{"type": "ONLY", "expression": "film_*"}]),
        "filter_expressions",
        "Filter 1",
        "INCLUDE or EXCLUDE",
    )
    assert_field_error(
        post(name="x", filter_expressions={"type": "INCLUDE"}), "filter_expressions", "list"
    )
    assert_field_error(
        post(name="x", type="REDSHIFT", environment=str(warehouse.pk), schema=""),
        "schema",
        "Redshift schema",
    )
    assert_field_error(
        post(name="x", environment=str(warehouse.pk)), "environment", "data lake", "'dwh'"
    )
    assert_field_error(
        post(name="x", environment=str(other_lake.pk)),
        "environment",
        "environment of this project",
    )
    assert_field_error(post(name="x", environment=str(hidden_lake.pk)), "environment", "not exist")
    assert_field_error(post(name="FILMS-curatedzonedb"), "name", "already has a data source")
    assert_field_error(post(name="x", type="S3"), "type", "not a valid choice")
    assert_field_error(post(name="x" * 257), "name", "256")
    assert client.post(f"{API}/data-sources/", {}).json().keys() == {
        "project",
        "environment",
        "name",
        "type",
        "database",
    }
    assert counts() == before


@pytest.mark.django_db
def test_owner_changes_a_source_and_its_schedule(owner, project, lake, api_client_for):
    client = api_client_for(owner)
    source = DataSourceFactory(project=project, environment=lake, name="films")
    url = f"{API}/data-sources/{source.pk}/"

    scheduled = client.patch(url, {"schedule": "30 3 * * 1", "schedule_timezone": "Asia/Tokyo"})
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["schedule"] == "30 3 * * 1"
    assert scheduled.json()["next_run_at"] is not None

    disabled = client.patch(url, {"enabled": False, "description": "Paused."})
    assert disabled.json()["enabled"] is False
    assert disabled.json()["next_run_at"] is None
    assert disabled.json()["description"] == "Paused."
    assert disabled.json()["schedule"] == "30 3 * * 1"

    bad = client.patch(url, {"schedule": "soon", "name": "renamed"})
    assert_field_error(bad, "schedule", "five fields")
    source.refresh_from_db()
    assert (source.name, source.schedule, source.enabled) == ("films", "30 3 * * 1", False)

    # The project is not a field of a change: a source never leaves its project.
    other = ProjectFactory(domain=project.domain)
    ProjectMembershipFactory(project=other, user=owner, designation=Designation.OWNER)
    moved = client.patch(url, {"project": str(other.pk)})
    assert moved.status_code == 200
    assert moved.json()["project"] == str(project.pk)


# --- Delete -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deleting_a_source_keeps_its_assets_detached(owner, project, lake, api_client_for):
    client = api_client_for(owner)
    source = DataSourceFactory(project=project, environment=lake, name="films")
    DataSourceRunFactory(data_source=source)
    assets = [AssetFactory(data_source=source, columns=2) for _ in range(2)]

    response = client.delete(f"{API}/data-sources/{source.pk}/")

    assert response.status_code == 204
    assert not DataSource.objects.exists()
    assert not DataSourceRun.objects.exists()
    for asset in assets:
        body = client.get(f"{API}/assets/{asset.pk}/").json()
        assert (body["data_source"], body["data_source_name"]) == (None, None)
        assert len(body["columns"]) == 2
    listed = client.get(f"{API}/assets/").json()
    assert listed["count"] == 2
    assert {a["data_source"] for a in listed["results"]} == {None}


@pytest.mark.django_db
def test_deleting_a_source_while_it_runs_is_a_conflict(owner, project, lake, api_client_for):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    DataSourceRunFactory(data_source=source, status=RunStatus.RUNNING)
    asset = AssetFactory(data_source=source)

    response = api_client_for(owner).delete(f"{API}/data-sources/{source.pk}/")

    assert response.status_code == 409
    assert "in progress" in response.json()["detail"]
    asset.refresh_from_db()
    assert asset.data_source_id == source.pk


# --- Filters ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_filters(owner, project, lake, warehouse, api_client_for):
    client = api_client_for(owner)
    glue = DataSourceFactory(project=project, environment=lake, name="films")
    redshift = DataSourceFactory(
        project=project,
        environment=warehouse,
        name="sales",
        type="REDSHIFT",
        database_name="dev",
        schema_name="public",
        enabled=False,
    )
    DataSourceRunFactory(data_source=glue, status=RunStatus.FAILED)
    DataSourceRunFactory(data_source=redshift, type="SCHEDULED")
    AssetFactory(data_source=glue, technical_name="film_category", business_name="Genres")
    AssetFactory(data_source=glue, technical_name="streaming_films")
    AssetFactory(
        data_source=redshift,
        technical_name="orders",
        type="REDSHIFT_TABLE",
        archived_at=glue.created_at,
    )

    def names(path, key="name", **params):
        response = client.get(f"{API}/{path}/", params)
        assert response.status_code == 200, response.json()
        return [row[key] for row in response.json()["results"]]

    assert names("data-sources") == ["films", "sales"]
    assert names("data-sources", type="REDSHIFT") == ["sales"]
    assert names("data-sources", enabled="true") == ["films"]
    assert names("data-sources", environment=str(lake.pk)) == ["films"]
    assert names("data-source-runs", "data_source_name", status="FAILED") == ["films"]
    assert names("data-source-runs", "data_source_name", type="SCHEDULED") == ["sales"]
    assert names("data-source-runs", "data_source_name", data_source=str(glue.pk)) == ["films"]
    assert names("assets", "technical_name") == ["film_category", "orders", "streaming_films"]
    assert names("assets", "technical_name", q="genre") == ["film_category"]
    assert names("assets", "technical_name", q="STREAM") == ["streaming_films"]
    assert names("assets", "technical_name", type="REDSHIFT_TABLE") == ["orders"]
    assert names("assets", "technical_name", archived="true") == ["orders"]
    assert names("assets", "technical_name", archived="false") == [
        "film_category",
        "streaming_films",
    ]
    assert names("assets", "technical_name", data_source=str(redshift.pk)) == ["orders"]
    assert names("assets", "technical_name", project=str(project.pk)) == [
        "film_category",
        "orders",
        "streaming_films",
    ]
    assert client.get(f"{API}/data-sources/{glue.pk}/").json()["asset_count"] == 2


@pytest.mark.django_db
def test_activity_and_suggestion_filters(owner, project, lake, api_client_for):
    client = api_client_for(owner)
    run = DataSourceRunFactory(
        data_source=DataSourceFactory(project=project, environment=lake),
        status="PARTIALLY_SUCCEEDED",
    )
    RunActivityFactory(run=run, table_name="good", status="SUCCEEDED_CREATED")
    RunActivityFactory(run=run, table_name="bad", status="FAILED", message="No columns.")
    asset = AssetFactory(data_source=run.data_source)
    SuggestionFactory(asset=asset, value="Proposed")
    SuggestionFactory(asset=asset, value="Rejected", status=SuggestionStatus.REJECTED)

    activities = client.get(f"{API}/data-source-runs/{run.pk}/activities/").json()
    assert [a["table_name"] for a in activities["results"]] == ["good", "bad"]
    failed = client.get(f"{API}/data-source-runs/{run.pk}/activities/", {"status": "FAILED"})
    assert [(a["table_name"], a["message"]) for a in failed.json()["results"]] == [
        ("bad", "No columns.")
    ]

    url = f"{API}/assets/{asset.pk}/predictions/"
    assert [p["value"] for p in client.get(url).json()["results"]] == ["Proposed"]
    rejected = client.get(url, {"status": "REJECTED"}).json()["results"]
    assert [p["value"] for p in rejected] == ["Rejected"]
    assert_field_error(client.get(url, {"status": "MAYBE"}), "status", "not a valid choice")


@pytest.mark.django_db
def test_reject_one_then_all(owner, project, lake, api_client_for):
    client = api_client_for(owner)
    asset = AssetFactory(data_source=DataSourceFactory(project=project, environment=lake))
    column = AssetColumnFactory(asset=asset, name="cust_id", position=1)
    table = SuggestionFactory(asset=asset, value="Customers")
    SuggestionFactory(asset=asset, column=column, value="Customer ID")
    base = f"{API}/assets/{asset.pk}/predictions"

    one = client.post(f"{base}/{table.pk}/reject/")
    assert one.status_code == 200
    assert one.json()["status"] == "REJECTED"
    assert client.post(f"{base}/reject-all/").json() == {"rejected": 1}
    assert client.post(f"{base}/reject-all/").json() == {"rejected": 0}
    assert client.post(f"{base}/accept-all/").json() == {"accepted": 0, "current_revision": 1}
    asset.refresh_from_db()
    assert (asset.business_name, asset.current_revision) == ("", 1)
    assert not AssetRevision.objects.filter(asset=asset).exists()


@pytest.mark.django_db
def test_accepting_one_suggestion_writes_a_revision(owner, project, lake, api_client_for):
    client = api_client_for(owner)
    asset = AssetFactory(data_source=DataSourceFactory(project=project, environment=lake))
    column = AssetColumnFactory(asset=asset, name="cust_id", position=1)
    suggestion = SuggestionFactory(asset=asset, column=column, value="Customer ID")

    response = client.post(f"{API}/assets/{asset.pk}/predictions/{suggestion.pk}/accept/")

    assert response.status_code == 200
    assert response.json()["status"] == "ACCEPTED"
    assert response.json()["column"] == "cust_id"
    column.refresh_from_db()
    assert column.business_name == "Customer ID"
    revisions = client.get(f"{API}/assets/{asset.pk}/revisions/").json()["results"]
    assert [(r["revision"], r["reason"], r["changes"]) for r in revisions] == [
        (2, "PREDICTION", ["Column cust_id business name set to \u201cCustomer ID\u201d"])
    ]


@pytest.mark.django_db
def test_unknown_ids_are_not_found(owner, project, lake, api_client_for):
    client = api_client_for(owner)
    asset = AssetFactory(data_source=DataSourceFactory(project=project, environment=lake))
    AssetRevisionFactory(asset=asset)
    missing = MISSING

    urls = (
        f"{API}/data-sources/{missing}/",
        f"{API}/data-sources/42/",
        f"{API}/data-sources/{missing}/runs/",
        f"{API}/data-source-runs/{missing}/",
        f"{API}/data-source-runs/{missing}/activities/",
        f"{API}/assets/{missing}/",
        f"{API}/assets/{missing}/revisions/",
        f"{API}/assets/{asset.pk}/revisions/7/",
        f"{API}/assets/{asset.pk}/revisions/latest/",
        f"{API}/assets/{missing}/predictions/",
    )
    assert_not_found(client, urls)
    assert client.post(f"{API}/assets/{asset.pk}/predictions/{missing}/accept/").status_code == 404


# --- Query counts: lists cost the same for 2 rows and for 20 ------------------------------


def count_queries(client, url) -> int:
    client.get(url)  # warm up: the user's SSO group names are read once per user object
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert body.get("count", 1) > 0
    return len(queries)


@pytest.fixture
def inventory(project, lake):
    """One data source, run and asset that the list URLs hang off, and a way to add n
    rows to every list."""
    source = DataSourceFactory(project=project, environment=lake, name="films")
    run = DataSourceRunFactory(data_source=source)
    asset = AssetFactory(data_source=source, columns=3)

    def grow(n):
        for _ in range(n):
            other = DataSourceFactory(project=project, environment=lake)
            DataSourceRunFactory(data_source=other, requested_by=project.memberships.first().user)
            DataSourceRunFactory(data_source=source, status=RunStatus.FAILED)
            AssetFactory(data_source=other, columns=2)
            RunActivityFactory(run=run, asset=asset)
            AssetRevisionFactory(asset=asset, revision=AssetRevision.objects.count() + 1)
            column = AssetColumnFactory(asset=asset)
            SuggestionFactory(asset=asset, column=column)

    return {"source": source, "run": run, "asset": asset, "grow": grow}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected_queries"),
    [
        ("data-sources", 3),  # count, page, newest runs
        ("data-source-runs", 2),
        ("source-runs", 3),  # the source, count, page
        ("activities", 3),  # the run, count, page
        ("assets", 2),
        ("revisions", 3),  # the asset, count, page
        ("suggestions", 3),  # the asset, count, page
    ],
)
def test_list_endpoints_cost_a_constant_number_of_queries(
    name, expected_queries, owner, inventory, api_client_for, django_assert_num_queries
):
    client = api_client_for(owner)
    source, run, asset = inventory["source"], inventory["run"], inventory["asset"]
    url = {
        "source-runs": f"{API}/data-sources/{source.pk}/runs/",
        "activities": f"{API}/data-source-runs/{run.pk}/activities/",
        "revisions": f"{API}/assets/{asset.pk}/revisions/",
        "suggestions": f"{API}/assets/{asset.pk}/predictions/",
    }.get(name, f"{API}/{name}/")

    inventory["grow"](2)
    few = count_queries(client, url)
    inventory["grow"](18)
    assert count_queries(client, url) == few
    with django_assert_num_queries(expected_queries):
        response = client.get(url)
    assert response.json()["count"] >= 20


@pytest.mark.django_db
def test_asset_detail_costs_the_same_for_5_and_200_columns(
    owner, project, lake, api_client_for, django_assert_num_queries
):
    client = api_client_for(owner)
    source = DataSourceFactory(project=project, environment=lake)
    narrow = AssetFactory(data_source=source, columns=5)
    wide = AssetFactory(data_source=source, columns=200)
    for asset in (narrow, wide):
        for column in asset.columns.all()[:3]:
            SuggestionFactory(asset=asset, column=column)

    assert count_queries(client, f"{API}/assets/{narrow.pk}/") == count_queries(
        client, f"{API}/assets/{wide.pk}/"
    )
    # The asset, its columns, its open suggestions, its terms, its columns' terms, its
    # forms, its listing.
    with django_assert_num_queries(7):
        body = client.get(f"{API}/assets/{wide.pk}/").json()
    assert [c["position"] for c in body["columns"]] == list(range(1, 201))
    assert body["proposed_prediction_count"] == 3


# --- Schema -------------------------------------------------------------------------------

CATALOG_PATHS = {
    "/api/v1/data-sources/": {"get", "post"},
    "/api/v1/data-sources/{id}/": {"get", "patch", "delete"},
    "/api/v1/data-sources/{id}/runs/": {"get", "post"},
    "/api/v1/data-source-runs/": {"get"},
    "/api/v1/data-source-runs/{id}/": {"get"},
    "/api/v1/data-source-runs/{run_pk}/activities/": {"get"},
    "/api/v1/assets/": {"get"},
    "/api/v1/assets/{id}/": {"get", "patch"},
    "/api/v1/assets/{asset_pk}/revisions/": {"get"},
    "/api/v1/assets/{asset_pk}/revisions/{revision}/": {"get"},
    "/api/v1/assets/{asset_pk}/predictions/": {"get"},
    "/api/v1/assets/{asset_pk}/predictions/{id}/accept/": {"post"},
    "/api/v1/assets/{asset_pk}/predictions/{id}/reject/": {"post"},
    "/api/v1/assets/{asset_pk}/predictions/accept-all/": {"post"},
    "/api/v1/assets/{asset_pk}/predictions/reject-all/": {"post"},
}


@pytest.mark.django_db
def test_schema_documents_every_catalog_endpoint(outsider, api_client_for):
    response = api_client_for(outsider).get("/api/schema/")
    schema = yaml.safe_load(response.content)

    for path, methods in CATALOG_PATHS.items():
        assert set(schema["paths"][path]) == methods, path
    start = schema["paths"]["/api/v1/data-sources/{id}/runs/"]["post"]["responses"]
    assert set(start) >= {"201", "403", "404", "409"}
    conflict = start["409"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][conflict]["properties"]) == {"detail", "run"}
    create = schema["components"]["schemas"]["DataSourceRequest"]
    assert {"project", "environment", "filter_expressions", "schedule"} <= set(create["properties"])
    assert (
        "project" not in schema["components"]["schemas"]["PatchedDataSourceRequest"]["properties"]
    )
