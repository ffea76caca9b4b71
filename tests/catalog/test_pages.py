"""The catalog pages (data sources, runs, inventory, assets), driven through Django's test
client as a browser would use them; imports run against moto's server."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog import models
from catalog.choices import (
    ActivityStatus,
    AssetType,
    DataSourceType,
    RevisionReason,
    RunErrorType,
    RunStatus,
    RunType,
    SuggestionKind,
    SuggestionStatus,
)
from meshportal.demo import seed_aws
from projects.choices import Blueprint, EnvironmentStatus

# --- Builders (rows as the importer leaves them, without AWS) ---------------------------
from tests.pages import htmx_partial, messages_of, text
from tests.projects.factories import EnvironmentFactory, EnvironmentProfileFactory


def make_environment(project, profile, name="Film Datasets S3", **fields):
    return EnvironmentFactory(project=project, profile=profile, name=name, **fields)


def make_data_source(project, environment, name="films-CuratedZoneDB", **fields):
    values = {
        "type": DataSourceType.GLUE,
        "database_name": "curatedzonedb",
        "filter_expressions": [{"type": "INCLUDE", "expression": "*"}],
        **fields,
    }
    return models.DataSource.objects.create(
        project=project, environment=environment, name=name, **values
    )


def make_run(data_source, status=RunStatus.SUCCESS, activities=0, **fields):
    now = timezone.now()
    finished = status not in RunStatus.active()
    values = {
        "type": RunType.PRIORITIZED,
        "status": status,
        "total": activities,
        "processed": activities if finished else 0,
        "added": activities if finished else 0,
        "started_at": now if status != RunStatus.REQUESTED else None,
        "finished_at": now if finished else None,
        **fields,
    }
    run = models.DataSourceRun.objects.create(data_source=data_source, **values)
    models.RunActivity.objects.bulk_create(
        models.RunActivity(
            run=run,
            table_name=f"table_{n:05d}",
            status=ActivityStatus.SUCCEEDED_CREATED,
        )
        for n in range(activities)
    )
    return run


def make_asset(project, data_source, name="film_category", columns=4, **fields):
    """An asset with columns, a PROPOSED business name for it and each column, and
    its first revision."""
    values = {
        "type": AssetType.GLUE_TABLE,
        "external_identifier": f"arn:aws:glue:us-east-1:111111111111:table/curatedzonedb/{name}",
        "database_name": "curatedzonedb",
        "technical_metadata": {
            "location": f"s3://streaming-curated-zone/curated/{name}/",
            "format": "parquet",
            "table_type": "EXTERNAL_TABLE",
        },
        "content_hash": "0" * 64,
        **fields,
    }
    asset = models.Asset.objects.create(
        domain=project.domain,
        project=project,
        data_source=data_source,
        technical_name=name,
        **values,
    )
    made = models.AssetColumn.objects.bulk_create(
        models.AssetColumn(
            asset=asset,
            name=f"column_{n:03d}",
            data_type="string",
            position=n,
            is_partition_key=n == columns,
        )
        for n in range(1, columns + 1)
    )
    models.Suggestion.objects.bulk_create(
        [models.Suggestion(asset=asset, kind=SuggestionKind.BUSINESS_NAME, value=name.title())]
        + [
            models.Suggestion(
                asset=asset,
                column=column,
                kind=SuggestionKind.BUSINESS_NAME,
                value=f"Column {column.position}",
            )
            for column in made
        ]
    )
    models.AssetRevision.objects.create(
        asset=asset,
        revision=1,
        reason=RevisionReason.IMPORT,
        snapshot={},
        changes=["Imported from AWS Glue curatedzonedb"],
    )
    return asset


def badge_text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]+)<', html)
    assert match, f"no {testid} on the page"
    return match.group(1)


def rows(html: str, testid: str) -> list[str]:
    """The rows of a table as plain text (tags stripped, whitespace collapsed)."""
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S)
    assert table, f"no table {testid}"
    body = table.group(1).split("<tbody>", 1)[1]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


FORM = {
    "name": "films-CuratedZoneDB",
    "description": "The curated zone.",
    "type": "GLUE",
    "database_name": "curatedzonedb",
    "schema_name": "",
    "filters": "INCLUDE *",
    "schedule": "",
    "schedule_timezone": "UTC",
    "enabled": "on",
    "generate_business_names": "on",
}


# --- Creating, editing, deleting data sources -------------------------------------------


@pytest.mark.django_db
def test_create_data_source_through_the_form(client_for, project, environment, owner):
    client = client_for(owner)
    url = reverse("data-source-create", args=[project.pk])
    html = text(client.get(url))
    assert "INCLUDE *</textarea>" in html  # the default filter: every table
    assert (
        f'<option value="{environment.pk}" selected>Film Datasets S3 — Data lake</option>' in html
    )
    assert "Publish every new or changed table as a listing" in html
    assert not re.search(r'<input type="checkbox" name="publish_on_import"[^>]*disabled', html)
    assert "<code>0 2 * * *</code> every day at 02:00" in html

    response = client.post(
        url,
        {**FORM, "environment": environment.pk, "filters": "INCLUDE film_*\nexclude *_tmp\n\n"},
        follow=True,
    )

    data_source = models.DataSource.objects.get(project=project)
    page = reverse("data-source-detail", args=[data_source.pk])
    assert response.redirect_chain == [(page, 302)]
    assert messages_of(response) == [
        "Data source “films-CuratedZoneDB” created. Run it to import its tables into the inventory."
    ]
    assert data_source.created_by == owner
    assert data_source.filter_expressions == [
        {"type": "INCLUDE", "expression": "film_*"},
        {"type": "EXCLUDE", "expression": "*_tmp"},
    ]
    assert (data_source.schedule, data_source.enabled, data_source.publish_on_import) == (
        "",
        True,
        False,
    )
    assert data_source.generate_business_names is True
    html = text(response)
    assert '<h1 class="page-header__title">films-CuratedZoneDB</h1>' in html
    assert "<code>film_*</code>" in html and "<code>*_tmp</code>" in html
    assert re.search(r'data-testid="data-source-schedule">\s*On demand', html)
    assert "Not run yet." in html and 'data-testid="run-button"' in html


@pytest.mark.django_db
def test_data_source_form_errors_land_on_their_fields_with_the_input_kept(
    client_for, project, profile, environment, owner
):
    warehouse = make_environment(
        project,
        EnvironmentProfileFactory(
            domain=project.domain,
            aws_account=profile.aws_account,
            name="WarehouseProfile",
            blueprint=Blueprint.DATA_WAREHOUSE,
        ),
        name="Film Warehouse",
    )
    make_data_source(project, environment, name="taken")
    client = client_for(owner)
    url = reverse("data-source-create", args=[project.pk])

    bad_cron = client.post(
        url, {**FORM, "environment": environment.pk, "schedule": "every night at two"}
    )
    assert bad_cron.status_code == 400
    html = text(bad_cron)
    assert re.search(r'<ul class="field__errors" id="id_schedule_errors">\s*<li>', html)
    assert "&#x27;every night at two&#x27; is not a cron expression of five fields" in html
    assert 'value="every night at two"' in html
    assert 'value="films-CuratedZoneDB"' in html
    assert "The curated zone.</textarea>" in html

    bad_filter = client.post(
        url, {**FORM, "environment": environment.pk, "filters": "INCLUDE *\nkeep film_*"}
    )
    assert bad_filter.status_code == 400
    html = text(bad_filter)
    assert re.search(
        r'id="id_filters_errors">\s*<li>Line 2 \(“keep film_\*”\): start with INCLUDE', html
    )
    assert "INCLUDE *\nkeep film_*</textarea>" in html

    # Every error at once: a bad filter line and a cron that never fires (31 February),
    # each next to its field, and what was typed kept.
    both = client.post(
        url,
        {
            **FORM,
            "environment": environment.pk,
            "filters": "INCLUDE *\nkeep film_*",
            "schedule": "0 0 31 2 *",
        },
    )
    assert both.status_code == 400
    html = text(both)
    assert re.search(r'id="id_filters_errors">\s*<li>Line 2', html)
    assert re.search(
        r'id="id_schedule_errors">\s*<li>&#x27;0 0 31 2 \*&#x27; never fires: no date matches',
        html,
    )
    assert 'value="0 0 31 2 *"' in html
    assert not models.DataSource.objects.filter(
        project=project, name="films-CuratedZoneDB"
    ).exists()

    no_schema = client.post(
        url, {**FORM, "environment": warehouse.pk, "type": "REDSHIFT", "database_name": "dev"}
    )
    assert no_schema.status_code == 400
    html = text(no_schema)
    assert re.search(
        r'id="id_schema_name_errors">\s*<li>Name the Redshift schema to import from \(e.g. public\).',
        html,
    )
    assert '<option value="REDSHIFT" selected>' in html and 'value="dev"' in html

    wrong_blueprint = client.post(
        url, {**FORM, "environment": warehouse.pk, "schema_name": "public"}
    )
    assert wrong_blueprint.status_code == 400
    assert re.search(
        r'id="id_environment_errors">\s*<li>A AWS Glue data source needs a data lake environment',
        text(wrong_blueprint),
    )

    duplicate = client.post(url, {**FORM, "environment": environment.pk, "name": "TAKEN"})
    assert duplicate.status_code == 400
    assert "This project already has a data source named &#x27;TAKEN&#x27;." in text(duplicate)

    assert list(models.DataSource.objects.values_list("name", flat=True)) == ["taken"]


@pytest.mark.django_db
def test_data_source_form_explains_missing_and_inactive_environments(
    client_for, project, profile, owner
):
    client = client_for(owner)
    url = reverse("data-source-create", args=[project.pk])
    html = text(client.get(url))
    assert "Film Catalog Project has no environment yet" in html
    assert reverse("environment-create", args=[project.pk]) in html
    assert 'name="database_name"' not in html

    make_environment(project, profile, status=EnvironmentStatus.CREATING)
    html = text(client.get(url))
    assert "No environment of this project is ACTIVE yet" in html
    assert "Film Datasets S3 is creating." in html
    assert ">Film Datasets S3 — Data lake (creating)</option>" in html


@pytest.mark.django_db
def test_edit_toggle_and_schedule(client_for, data_source, owner, settings):
    client = client_for(owner)
    edit = reverse("data-source-edit", args=[data_source.pk])
    form_page = text(client.get(edit))
    assert 'value="films-CuratedZoneDB"' in form_page
    assert "INCLUDE *</textarea>" in form_page
    assert "Save changes</button>" in form_page

    response = client.post(
        edit,
        {
            **FORM,
            "environment": data_source.environment_id,
            "schedule": "0 2 * * *",
            "schedule_timezone": "Europe/Paris",
        },
        follow=True,
    )
    assert messages_of(response) == ["Data source “films-CuratedZoneDB” saved."]
    data_source.refresh_from_db()
    assert (data_source.schedule, data_source.schedule_timezone) == ("0 2 * * *", "Europe/Paris")
    assert data_source.next_run_at is not None
    html = text(response)
    assert "<code>0 2 * * *</code>" in html
    # Tests run tasks in-process (no beat): no countdown to a run that never happens.
    assert "Schedules do not fire in this installation" in html
    assert "Next run" not in html
    # With a broker (a worker and beat run), the next run is shown.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    html = text(client.get(reverse("data-source-detail", args=[data_source.pk])))
    assert "Schedules do not fire" not in html
    assert re.search(r"Next run <time[^>]*>\w{3} \w{3} \d+, \d{4} 02:00</time> Europe/Paris", html)

    disabled = client.post(reverse("data-source-toggle", args=[data_source.pk]), follow=True)
    assert messages_of(disabled) == [
        "Data source “films-CuratedZoneDB” disabled: it does not run until it is enabled "
        "again. Its assets stay in the inventory."
    ]
    data_source.refresh_from_db()
    assert (data_source.enabled, data_source.next_run_at) == (False, None)
    assert "Not scheduled while disabled." in text(disabled)
    assert "Enable</button>" in text(disabled)

    enabled = client.post(reverse("data-source-toggle", args=[data_source.pk]), follow=True)
    assert messages_of(enabled) == [
        "Data source “films-CuratedZoneDB” enabled: it runs on its schedule and on demand."
    ]
    data_source.refresh_from_db()
    assert data_source.enabled and data_source.next_run_at is not None


@pytest.mark.django_db
def test_delete_keeps_the_assets_detached(client_for, project, data_source, owner):
    asset = make_asset(project, data_source)
    client = client_for(owner)
    page = text(client.get(reverse("data-source-detail", args=[data_source.pk])))
    assert "stay in the inventory, detached from any data source" in page
    assert 'hx-confirm="Delete data source films-CuratedZoneDB?' in page

    response = client.post(reverse("data-source-delete", args=[data_source.pk]), follow=True)

    assert response.redirect_chain == [(reverse("project-detail", args=[project.pk]), 302)]
    assert messages_of(response) == [
        "Data source “films-CuratedZoneDB” deleted. Its 1 asset stay in the inventory, detached."
    ]
    assert not models.DataSource.objects.filter(pk=data_source.pk).exists()
    asset.refresh_from_db()
    assert asset.data_source is None
    assert "No data sources yet." in text(response)
    assert 'data-testid="inventory-count">1<' in text(response)
    inventory = text(client.get(reverse("inventory", args=[project.pk])))
    [row] = rows(inventory, "asset-table")
    assert row.startswith(
        "film_category curatedzonedb.film_category Glue table detached Not published 5 4 "
    )
    asset_page = text(client.get(reverse("asset-detail", args=[asset.pk])))
    assert "Detached — its data source was deleted" in asset_page


@pytest.mark.django_db
def test_delete_refuses_while_a_run_is_going(client_for, data_source, owner):
    make_run(data_source, status=RunStatus.RUNNING)
    response = client_for(owner).post(
        reverse("data-source-delete", args=[data_source.pk]), follow=True
    )
    assert messages_of(response) == [
        "A run of this data source is in progress; delete it when the run has finished."
    ]
    assert models.DataSource.objects.filter(pk=data_source.pk).exists()


# --- Runs -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_import_curatedzonedb_then_again_then_accept_suggestions(
    aws, client_for, project, profile, owner
):
    """Scenario steps 4–5 through the pages, the run executing eagerly in the request."""
    seed_aws()
    environment = make_environment(project, profile)
    client = client_for(owner)
    client.post(
        reverse("data-source-create", args=[project.pk]),
        {**FORM, "environment": environment.pk},
        follow=True,
    )
    data_source = models.DataSource.objects.get(project=project)

    first = client.post(reverse("data-source-run", args=[data_source.pk]), follow=True)

    run = models.DataSourceRun.objects.get(data_source=data_source)
    assert first.redirect_chain == [(reverse("data-source-run-detail", args=[run.pk]), 302)]
    assert messages_of(first) == ["Run of “films-CuratedZoneDB” finished: Success."]
    html = text(first)
    assert badge_text(html, "run-status") == "SUCCESS"
    assert badge_text(html, "count-added") == "3"
    assert badge_text(html, "count-unchanged") == "0"
    assert badge_text(html, "run-progress") == "3 of 3 tables processed"
    assert "hx-trigger" not in html
    assert sorted(rows(html, "activity-table")) == [
        "category_streams Created",
        "film_category Created",
        "streaming_films Created",
    ]
    film_category = models.Asset.objects.get(technical_name="film_category")
    assert f'<a href="{reverse("asset-detail", args=[film_category.pk])}">film_category</a>' in html

    second = client.post(reverse("data-source-run", args=[data_source.pk]), follow=True)
    html = text(second)
    assert badge_text(html, "run-status") == "SUCCESS"
    assert badge_text(html, "count-unchanged") == "3"
    assert badge_text(html, "count-added") == "0"
    assert models.AssetRevision.objects.count() == 3  # no new revisions

    history = text(client.get(reverse("data-source-detail", args=[data_source.pk])))
    run_rows = rows(history, "run-table")
    assert len(run_rows) == 2
    assert "On demand · film-catalog-team-admin SUCCESS 0 0 3 0 0" in run_rows[0]
    assert "On demand · film-catalog-team-admin SUCCESS 3 0 0 0 0" in run_rows[1]

    project_page = text(client.get(reverse("project-detail", args=[project.pk])))
    assert badge_text(project_page, "last-run-status") == "SUCCESS"
    assert badge_text(project_page, "inventory-count") == "3"
    [row] = rows(project_page, "data-source-table")
    assert row.startswith(
        "films-CuratedZoneDB in Film Datasets S3 AWS Glue curatedzonedb On demand"
    )
    assert row.endswith(" 3")

    # Step 5: the suggested business names, accepted all at once.
    asset_url = reverse("asset-detail", args=[film_category.pk])
    html = text(client.get(asset_url))
    suggested = re.findall(r'data-testid="suggestion-value">([^<]+)<', html)
    assert suggested == ["Film Category", "Category ID", "Name", "Film ID", "Special Features"]
    assert "Accept all</button>" in html

    accepted = client.post(
        reverse("asset-suggestions-accept-all", args=[film_category.pk]), follow=True
    )
    assert accepted.redirect_chain == [(asset_url, 302)]
    assert messages_of(accepted) == ["Accepted 5 business names; revision 2 records them."]
    html = text(accepted)
    assert 'data-testid="suggestions"' not in html
    assert '<h1 class="page-header__title" data-testid="asset-name">Film Category</h1>' in html
    assert re.findall(r'data-testid="column-business-name">([^<]+)<', html) == [
        "Category ID",
        "Name",
        "Film ID",
        "Special Features",
    ]
    revision = re.search(r'data-revision="2">(.*?)</li>\s*</ul>', html, re.S).group(1)
    assert "Suggestion accepted" in revision and "by film-catalog-team-admin" in revision
    assert "Business name set to “Film Category”" in revision
    assert "Column category_id business name set to “Category ID”" in revision

    # Reject one suggestion of another asset: it leaves the panel, nothing else changes.
    films = models.Asset.objects.get(technical_name="streaming_films")
    film_id = films.suggestions.get(column__name="film_id")
    rejected = client.post(reverse("suggestion-reject", args=[film_id.pk]), follow=True)
    assert messages_of(rejected) == ["Business name “Film ID” rejected for column film_id."]
    film_id.refresh_from_db()
    assert film_id.status == SuggestionStatus.REJECTED
    html = text(rejected)
    suggested = re.findall(r'data-testid="suggestion-value">([^<]+)<', html)
    assert "Film ID" not in suggested and "Streaming Films" in suggested
    assert films.revisions.count() == 1

    # The inventory: filters over the three assets.
    inventory_url = reverse("inventory", args=[project.pk])

    def listed(params=None):
        response = client.get(inventory_url, params or {})
        return [a.technical_name for a in response.context["page"].object_list]

    assert listed() == ["category_streams", "film_category", "streaming_films"]
    assert listed({"q": "film category"}) == ["film_category"]  # by its business name
    assert listed({"q": "stream"}) == ["category_streams", "streaming_films"]
    assert listed({"data_source": data_source.pk, "type": "GLUE_TABLE"}) == [
        "category_streams",
        "film_category",
        "streaming_films",
    ]
    assert listed({"type": "REDSHIFT_TABLE"}) == []

    # Deleting the data source keeps the assets, detached.
    client.post(reverse("data-source-delete", args=[data_source.pk]))
    assert listed() == ["category_streams", "film_category", "streaming_films"]
    assert models.Asset.objects.filter(data_source__isnull=True).count() == 3
    assert "Film Category" in text(client.get(inventory_url))


@pytest.mark.django_db(transaction=True)
def test_a_missing_database_fails_the_run_with_its_error_shown(
    aws, client_for, project, profile, owner
):
    environment = make_environment(project, profile)
    data_source = make_data_source(project, environment, database_name="nosuchdb")
    response = client_for(owner).post(
        reverse("data-source-run", args=[data_source.pk]), follow=True
    )
    html = text(response)
    assert badge_text(html, "run-status") == "FAILED"
    assert badge_text(html, "run-error-type") == "Resource not found"
    assert "Glue database &#x27;nosuchdb&#x27; does not exist in account 111111111111" in html
    assert "Run again</button>" in html
    assert "No table was imported: the run stopped before it could read them." in html


@pytest.mark.django_db
def test_run_refusals_are_flashed(client_for, project, profile, data_source, owner):
    client = client_for(owner)
    detail = reverse("data-source-detail", args=[data_source.pk])

    # The `db` fixture never runs on_commit callbacks: this run stays REQUESTED.
    first = client.post(reverse("data-source-run", args=[data_source.pk]), follow=True)
    run = models.DataSourceRun.objects.get(data_source=data_source)
    assert run.status == RunStatus.REQUESTED
    assert first.redirect_chain == [(reverse("data-source-run-detail", args=[run.pk]), 302)]
    assert badge_text(text(first), "run-status") == "REQUESTED"
    assert "Waiting for a worker…" in text(first)

    again = client.post(reverse("data-source-run", args=[data_source.pk]), follow=True)
    assert again.redirect_chain == [(reverse("data-source-run-detail", args=[run.pk]), 302)]
    assert messages_of(again) == ["A run is already in progress."]
    assert models.DataSourceRun.objects.count() == 1
    page = text(client.get(detail))
    assert 'data-testid="active-run"' in page and "Listing the tables…" in page

    models.DataSourceRun.objects.update(status=RunStatus.FAILED, finished_at=timezone.now())
    models.DataSource.objects.filter(pk=data_source.pk).update(enabled=False)
    disabled = client.post(reverse("data-source-run", args=[data_source.pk]), follow=True)
    assert disabled.redirect_chain == [(detail, 302)]
    assert messages_of(disabled) == [
        "Data source 'films-CuratedZoneDB' is disabled; enable it to run it."
    ]

    models.DataSource.objects.filter(pk=data_source.pk).update(enabled=True)
    data_source.environment.status = EnvironmentStatus.CREATING
    data_source.environment.save()
    inactive = client.post(reverse("data-source-run", args=[data_source.pk]), follow=True)
    assert messages_of(inactive) == [
        "Environment 'Film Datasets S3' is creating; a data source runs once its environment "
        "is ACTIVE."
    ]
    assert models.DataSourceRun.objects.count() == 1


@pytest.mark.django_db
def test_running_run_polls_with_a_partial_until_it_finishes(client_for, data_source, owner):
    run = make_run(data_source, status=RunStatus.RUNNING, total=40, processed=10, added=10)
    client = client_for(owner)
    url = reverse("data-source-run-detail", args=[run.pk])

    full = text(client.get(url))
    assert full.lstrip().startswith("<!DOCTYPE html>")
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in full
    assert badge_text(full, "run-progress") == "10 of 40 tables processed"
    assert 'aria-valuenow="10"' in full and 'style="width: 25%"' in full
    assert "appears here when the run has finished" in full

    html = htmx_partial(client, url, "catalog/_run_panel.html", "run-panel")
    assert badge_text(html, "run-status") == "RUNNING"

    models.RunActivity.objects.bulk_create(
        models.RunActivity(run=run, table_name=f"t{n}", status=ActivityStatus.SUCCEEDED_CREATED)
        for n in range(40)
    )
    models.DataSourceRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCESS, processed=40, added=40, finished_at=timezone.now()
    )
    done = text(client.get(url, headers={"HX-Request": "true"}))
    assert badge_text(done, "run-status") == "SUCCESS"
    assert "hx-trigger" not in done  # the swapped-in panel stops polling
    assert badge_text(done, "run-progress") == "40 of 40 tables processed"
    assert len(rows(done, "activity-table")) == 40  # the activities come with it


@pytest.mark.django_db
def test_failed_and_partial_runs_show_their_error(client_for, data_source, owner, viewer):
    failed = make_run(
        data_source,
        status=RunStatus.FAILED,
        error_type=RunErrorType.ACCESS_DENIED,
        error_message="The portal may not read Glue database 'curatedzonedb'.",
    )
    html = text(client_for(owner).get(reverse("data-source-run-detail", args=[failed.pk])))
    assert badge_text(html, "run-status") == "FAILED"
    assert badge_text(html, "run-error-type") == "Access denied"
    assert "The portal may not read Glue database &#x27;curatedzonedb&#x27;." in html
    assert "Run again</button>" in html
    viewer_html = text(client_for(viewer).get(reverse("data-source-run-detail", args=[failed.pk])))
    assert "Run again</button>" not in viewer_html
    assert 'data-testid="run-error"' in viewer_html

    partial = make_run(
        data_source,
        status=RunStatus.PARTIALLY_SUCCEEDED,
        activities=2,
        failed=1,
        error_message="1 of 3 tables could not be imported; see the activities.",
    )
    models.RunActivity.objects.create(
        run=partial,
        table_name="broken",
        status=ActivityStatus.FAILED,
        message="Table 'broken' has no columns in its Glue definition.",
    )
    html = text(client_for(owner).get(reverse("data-source-run-detail", args=[partial.pk])))
    assert "Some tables could not be imported" in html
    assert "1 of 3 tables could not be imported; see the activities." in html
    assert "Run again</button>" not in html  # only a failed run offers it
    assert (
        "broken Failed Table &#x27;broken&#x27; has no columns in its Glue definition."
        in (rows(html, "activity-table")[-1])
    )


@pytest.mark.django_db
def test_activities_are_paginated_and_filtered_by_status(client_for, data_source, owner):
    run = make_run(data_source, activities=120)
    models.RunActivity.objects.bulk_create(
        models.RunActivity(
            run=run, table_name=f"failed_{n}", status=ActivityStatus.FAILED, message="x"
        )
        for n in range(3)
    )
    models.DataSourceRun.objects.filter(pk=run.pk).update(failed=3)
    client = client_for(owner)
    url = reverse("data-source-run-detail", args=[run.pk])

    first = client.get(url)
    assert len(first.context["page"].object_list) == 50
    html = text(first)
    assert "1–50 of 123" in html
    assert re.search(r'aria-current="page">All <span class="count-pill">123</span>', html)
    assert re.search(r">Failed <span class=\"count-pill\">3</span>", html)

    third = client.get(url, {"page": 3})
    assert [a.table_name for a in third.context["page"].object_list][-3:] == [
        "failed_0",
        "failed_1",
        "failed_2",
    ]

    failed = client.get(url, {"status": "FAILED"})
    assert [a.table_name for a in failed.context["page"].object_list] == [
        "failed_0",
        "failed_1",
        "failed_2",
    ]
    assert re.search(r'aria-current="page">Failed', text(failed))
    unchanged = client.get(url, {"status": "UNCHANGED"})
    assert "No table had this outcome." in text(unchanged)
    nonsense = client.get(url, {"status": "EVERYTHING"})
    assert nonsense.context["page"].paginator.count == 123


@pytest.mark.django_db
def test_run_history_is_paginated(client_for, data_source, owner):
    for _ in range(30):
        make_run(data_source)
    client = client_for(owner)
    url = reverse("data-source-detail", args=[data_source.pk])
    first = client.get(url)
    assert len(first.context["page"].object_list) == 25
    assert "1–25 of 30" in text(first)
    assert len(client.get(url, {"page": 2}).context["page"].object_list) == 5


# --- Inventory and assets -------------------------------------------------------------------


@pytest.mark.django_db
def test_inventory_filters_and_hides_archived_assets_by_default(
    client_for, project, environment, data_source, owner
):
    other = make_data_source(project, environment, name="other-source", database_name="otherdb")
    make_asset(project, data_source, "film_category", business_name="Film Category")
    make_asset(project, data_source, "streaming_films")
    make_asset(project, other, "category_streams", type=AssetType.GLUE_VIEW)
    make_asset(project, data_source, "old_table", archived_at=timezone.now())
    client = client_for(owner)
    url = reverse("inventory", args=[project.pk])

    def listed(params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200
        return [a.technical_name for a in response.context["page"].object_list]

    assert listed() == ["category_streams", "film_category", "streaming_films"]
    assert listed({"archived": "true"}) == ["old_table"]
    assert listed({"archived": "all"}) == [
        "category_streams",
        "film_category",
        "old_table",
        "streaming_films",
    ]
    assert listed({"q": "FILM CAT"}) == ["film_category"]
    assert listed({"data_source": other.pk}) == ["category_streams"]
    assert listed({"type": "GLUE_VIEW"}) == ["category_streams"]
    assert listed({"data_source": data_source.pk, "archived": "all", "q": "old"}) == ["old_table"]

    html = text(client.get(url, {"archived": "all"}))
    assert 'data-testid="archived-marker">Archived<' in html
    assert '<option value="all" selected>All</option>' in html
    assert "Clear filters" in html
    default = text(client.get(url))
    assert '<option value="false" selected>Current assets</option>' in default
    assert "Clear filters" not in default
    film = rows(default, "asset-table")[1]
    assert film.startswith(
        "Film Category curatedzonedb.film_category Glue table films-CuratedZoneDB Not published 5 4"
    )

    bad = client.get(url, {"data_source": "nonsense"})
    assert bad.status_code == 200
    assert "Data source: Enter a valid UUID." in text(bad)
    assert "No asset matches these filters" in text(client.get(url, {"q": "zzz"}))


@pytest.mark.django_db
def test_inventory_is_paginated_by_50(client_for, project, data_source, owner):
    models.Asset.objects.bulk_create(
        models.Asset(
            domain=project.domain,
            project=project,
            data_source=data_source,
            type=AssetType.GLUE_TABLE,
            external_identifier=f"arn:t{n}",
            technical_name=f"table_{n:03d}",
            database_name="curatedzonedb",
            content_hash="0",
        )
        for n in range(60)
    )
    client = client_for(owner)
    url = reverse("inventory", args=[project.pk])
    assert len(client.get(url).context["page"].object_list) == 50
    second = client.get(url, {"page": 2})
    assert [a.technical_name for a in second.context["page"].object_list][0] == "table_050"
    assert "51–60 of 60" in text(second)


@pytest.mark.django_db
def test_asset_page_shows_metadata_columns_suggestions_and_history(
    client_for, project, data_source, owner, viewer
):
    asset = make_asset(project, data_source, "category_streams", columns=3)
    models.AssetColumn.objects.filter(asset=asset, position=1).update(source_comment="The category")
    client = client_for(owner)
    html = text(client.get(reverse("asset-detail", args=[asset.pk])))

    assert '<h1 class="page-header__title" data-testid="asset-name">category_streams</h1>' in html
    assert "curatedzonedb.category_streams" in html
    assert "s3://streaming-curated-zone/curated/category_streams/" in html
    assert "<dt>Format</dt><dd>parquet</dd>" in html
    assert "EXTERNAL_TABLE" in html
    assert f'from <a href="{reverse("data-source-detail", args=[data_source.pk])}">' in html
    assert rows(html, "column-table") == [
        "1 column_001 string The category Column 1 suggested —",
        "2 column_002 string Column 2 suggested —",
        "3 column_003 Partition key string Column 3 suggested —",
    ]
    assert (
        rows(html, "suggestion-table")[0]
        == "Table category_streams Category_Streams — Reject Accept"
    )
    assert len(rows(html, "suggestion-table")) == 4
    assert "Accept all</button>" in html and "Reject all</button>" in html
    assert "Revision 1" in html and "Imported from AWS Glue curatedzonedb" in html
    assert 'data-testid="archived-banner"' not in html

    read_only = text(client_for(viewer).get(reverse("asset-detail", args=[asset.pk])))
    assert len(rows(read_only, "suggestion-table")) == 4
    assert "Accept</button>" not in read_only and "Accept all</button>" not in read_only
    assert "A contributor or owner of the project accepts or rejects them." in read_only

    models.Asset.objects.filter(pk=asset.pk).update(archived_at=timezone.now())
    assert 'data-testid="archived-banner"' in text(
        client.get(reverse("asset-detail", args=[asset.pk]))
    )


@pytest.mark.django_db
def test_accept_one_then_reject_all(client_for, project, data_source, owner):
    asset = make_asset(project, data_source, "film_category", columns=2)
    client = client_for(owner)
    url = reverse("asset-detail", args=[asset.pk])
    table_name = asset.suggestions.get(column__isnull=True)

    accepted = client.post(reverse("suggestion-accept", args=[table_name.pk]), follow=True)
    assert accepted.redirect_chain == [(url, 302)]
    assert messages_of(accepted) == ["Business name “Film_Category” accepted for the table."]
    asset.refresh_from_db()
    assert (asset.business_name, asset.current_revision) == ("Film_Category", 2)
    assert "Business name set to “Film_Category”" in text(accepted)

    again = client.post(reverse("suggestion-accept", args=[table_name.pk]), follow=True)
    assert messages_of(again) == ["This suggestion was already accepted."]

    rejected = client.post(reverse("asset-suggestions-reject-all", args=[asset.pk]), follow=True)
    assert messages_of(rejected) == ["Rejected 2 suggestions."]
    assert 'data-testid="suggestions"' not in text(rejected)
    assert set(asset.suggestions.values_list("status", flat=True)) == {
        SuggestionStatus.ACCEPTED,
        SuggestionStatus.REJECTED,
    }
    nothing = client.post(reverse("asset-suggestions-accept-all", args=[asset.pk]), follow=True)
    assert messages_of(nothing) == ["There were no suggestions left to accept."]
    assert models.AssetRevision.objects.filter(asset=asset).count() == 2


@pytest.mark.django_db
def test_revision_history_is_paginated(client_for, project, data_source, owner):
    asset = make_asset(project, data_source)
    models.AssetRevision.objects.bulk_create(
        models.AssetRevision(asset=asset, revision=n, reason=RevisionReason.EDIT, snapshot={})
        for n in range(2, 26)
    )
    client = client_for(owner)
    url = reverse("asset-detail", args=[asset.pk])
    first = client.get(url)
    assert [r.revision for r in first.context["page"].object_list][:2] == [25, 24]
    assert "1–20 of 25" in text(first)
    assert [r.revision for r in client.get(url, {"page": 2}).context["page"].object_list] == [
        5,
        4,
        3,
        2,
        1,
    ]


# --- Query counts do not grow with rows --------------------------------------------------


def queries_for(client, url, params=None) -> int:
    client.get(url, params or {})  # warm up (session, first-request work)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
def test_project_page_query_count_does_not_grow_with_data_sources(
    client_for, project, environment, owner, django_assert_num_queries
):
    client = client_for(owner)
    url = reverse("project-detail", args=[project.pk])
    make_run(make_data_source(project, environment, name="source-0"))
    small = queries_for(client, url)

    for n in range(1, 20):
        source = make_data_source(project, environment, name=f"source-{n}")
        make_run(source)
        make_run(source, status=RunStatus.FAILED)
        make_asset(project, source, f"table_{n}", columns=2)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert text(response).count('data-testid="last-run-status"') == 20


@pytest.mark.django_db
def test_data_source_page_query_count_does_not_grow_with_runs(
    client_for, data_source, owner, django_assert_num_queries
):
    client = client_for(owner)
    url = reverse("data-source-detail", args=[data_source.pk])
    make_run(data_source)
    small = queries_for(client, url)

    for _ in range(40):
        make_run(data_source)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert text(response).count('data-testid="run-status"') == 25


@pytest.mark.django_db
def test_run_page_query_count_does_not_grow_with_activities(
    client_for, data_source, owner, django_assert_num_queries
):
    client = client_for(owner)
    small_run = make_run(data_source, activities=10)
    small = queries_for(client, reverse("data-source-run-detail", args=[small_run.pk]))

    big_run = make_run(data_source, activities=200)
    models.Asset.objects.bulk_create(
        models.Asset(
            domain=data_source.project.domain,
            project=data_source.project,
            data_source=data_source,
            type=AssetType.GLUE_TABLE,
            external_identifier=f"arn:t{n}",
            technical_name=f"table_{n:05d}",
            database_name="curatedzonedb",
            content_hash="0",
        )
        for n in range(200)
    )
    for activity, asset in zip(
        big_run.activities.order_by("id"),
        models.Asset.objects.order_by("technical_name"),
        strict=True,
    ):
        activity.asset = asset
        activity.save()
    url = reverse("data-source-run-detail", args=[big_run.pk])
    client.get(url)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(rows(text(response), "activity-table")) == 50


@pytest.mark.django_db
def test_inventory_query_count_does_not_grow_with_assets(
    client_for, project, data_source, owner, django_assert_num_queries
):
    client = client_for(owner)
    url = reverse("inventory", args=[project.pk])
    for n in range(3):
        make_asset(project, data_source, f"table_{n:02d}", columns=2)
    small = queries_for(client, url)

    for n in range(3, 60):
        make_asset(project, data_source, f"table_{n:02d}", columns=2)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len(rows(text(response), "asset-table")) == 50


@pytest.mark.django_db
def test_asset_page_query_count_does_not_grow_with_columns(
    client_for, project, data_source, owner, django_assert_num_queries
):
    client = client_for(owner)
    small_asset = make_asset(project, data_source, "small", columns=5)
    small = queries_for(client, reverse("asset-detail", args=[small_asset.pk]))

    big_asset = make_asset(project, data_source, "big", columns=200)
    url = reverse("asset-detail", args=[big_asset.pk])
    client.get(url)
    with django_assert_num_queries(small):
        response = client.get(url)
    html = text(response)
    assert len(rows(html, "column-table")) == 200
    assert len(rows(html, "suggestion-table")) == 201
