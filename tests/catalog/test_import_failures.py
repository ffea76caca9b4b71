"""Imports that go wrong: each ends with the right status, error type and message, and
nothing is half-written.

AWS errors are real answers over HTTP: moto's own (a missing database), or those of the
proxy in front of moto (tests/catalog/throttling_proxy.py) answering AccessDenied or
ThrottlingException in Glue's JSON protocol, which botocore parses and retries as it
would against AWS.
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog import services
from catalog.choices import ActivityStatus, RunErrorType, RunStatus, RunType
from catalog.importing import execute_run
from catalog.models import Asset, AssetRevision, DataSourceRun, RunActivity, Suggestion
from catalog.tasks import run_data_source
from meshportal.demo import GLUE_DATABASE
from tests.catalog.factories import assert_run_failed, counts, create_glue_source, run_now, tallies
from tests.catalog.test_import import (
    activities,
    glue_table_input,
)
from tests.catalog.throttling_proxy import AwsProxy

pytestmark = pytest.mark.django_db(transaction=True)

GET_TABLES = "AWSGlue.GetTables"
NOTHING_DONE = tallies(total=None)


@pytest.fixture
def proxy(aws, monkeypatch):
    """boto3 goes through the misbehaving proxy to moto for the rest of the test."""
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        yield proxy


def assert_nothing_written():
    assert not Asset.objects.exists()
    assert not AssetRevision.objects.exists()
    assert not RunActivity.objects.exists()
    assert not Suggestion.objects.exists()


# --- the listing fails: the run fails, nothing is written -------------------------------


def test_a_missing_database_fails_the_run_with_resource_not_found(
    glue, owner, project, environment
):
    source = create_glue_source(owner, project, environment, database_name="curatedzone_typo")

    run = run_now(owner, source)

    assert_run_failed(
        run,
        RunErrorType.RESOURCE_NOT_FOUND,
        "Glue database 'curatedzone_typo' does not exist",
        "111111111111",
        "EntityNotFoundException",
    )
    assert counts(run) == NOTHING_DONE
    assert run.finished_at is not None
    assert_nothing_written()


def test_access_denied_fails_the_run_and_says_what_to_grant(glue, proxy, owner, source):
    proxy.fail(
        GET_TABLES,
        "AccessDeniedException",
        "User: arn:aws:iam::111111111111:user/portal is not authorized to perform: "
        "glue:GetTables on resource: arn:aws:glue:us-east-1:111111111111:database/curatedzonedb",
    )

    run = run_now(owner, source)

    assert_run_failed(
        run,
        RunErrorType.ACCESS_DENIED,
        "may not read Glue database 'curatedzonedb'",
        "glue:GetTables",
    )
    assert "AccessDeniedException: User: arn:aws:iam::111111111111:user/portal" in (
        run.error_message
    )
    # A permanent error: asked once, not retried.
    assert proxy.count(GET_TABLES) == 1
    assert counts(run) == NOTHING_DONE
    assert_nothing_written()


def test_a_few_throttled_requests_are_retried_and_the_run_succeeds(glue, proxy, owner, source):
    proxy.fail(GET_TABLES, "ThrottlingException", "Rate exceeded", times=2)

    run = run_now(owner, source)

    assert run.status == RunStatus.SUCCESS, run.error_message
    assert run.added == 3
    assert proxy.count(GET_TABLES, "ThrottlingException") == 2
    assert proxy.count(GET_TABLES, "forwarded") == 1


def test_throttling_that_outlasts_the_retries_fails_the_run(glue, proxy, owner, source):
    proxy.fail(GET_TABLES, "ThrottlingException", "Rate exceeded")  # every time

    run = run_now(owner, source)

    assert_run_failed(
        run, RunErrorType.THROTTLING, "kept throttling", "ThrottlingException: Rate exceeded"
    )
    # meshportal.aws.RETRY_CONFIG: botocore's standard mode with max_attempts=6, which
    # botocore counts as retries: the first attempt and six retries with backoff.
    assert proxy.count(GET_TABLES) == 7
    assert proxy.count(GET_TABLES, "forwarded") == 0
    assert counts(run) == NOTHING_DONE
    assert_nothing_written()


def test_an_unexpected_aws_error_fails_the_run_with_its_code(glue, proxy, owner, source):
    proxy.fail(GET_TABLES, "InvalidInputException", "Database name is too long")

    run = run_now(owner, source)

    assert_run_failed(
        run, RunErrorType.VALIDATION, "InvalidInputException: Database name is too long"
    )
    assert_nothing_written()


def test_a_failure_on_a_later_page_writes_nothing(glue, proxy, owner, source):
    """The listing is read completely before anything is written."""
    proxy.paginate(GET_TABLES, "TableList", page_size=2)
    proxy.fail(GET_TABLES, "AccessDeniedException", "The security token expired", after=1)

    run = run_now(owner, source)

    assert_run_failed(run, RunErrorType.ACCESS_DENIED)
    assert proxy.count(GET_TABLES, "forwarded") == 1  # the first page was read
    assert proxy.count(GET_TABLES, "AccessDeniedException") == 1
    assert proxy.requests[-1].body["NextToken"] == proxy.tokens_issued(GET_TABLES)[0]
    assert counts(run) == NOTHING_DONE
    assert_nothing_written()


# --- one bad table fails only its activity ----------------------------------------------


def test_malformed_tables_fail_only_their_own_activities(glue, owner, source):
    # moto accepts both, as Glue does for tables made by hand or by a broken job.
    glue.create_table(DatabaseName=GLUE_DATABASE, TableInput={"Name": "broken_no_columns"})
    glue.create_table(
        DatabaseName=GLUE_DATABASE,
        TableInput={
            "Name": "broken_untyped",
            "StorageDescriptor": {"Columns": [{"Name": "film_id"}, {"Name": "x", "Type": "int"}]},
        },
    )

    run = run_now(owner, source)

    assert run.status == RunStatus.PARTIALLY_SUCCEEDED
    assert run.error_type == ""
    assert run.error_message == "2 of 5 tables could not be imported; see the activities."
    assert counts(run) == tallies(total=5, processed=5, added=3, failed=2)
    done = activities(run)
    assert done["broken_no_columns"].status == ActivityStatus.FAILED
    assert "Table 'broken_no_columns' has no columns" in done["broken_no_columns"].message
    assert done["broken_untyped"].status == ActivityStatus.FAILED
    assert done["broken_untyped"].message == (
        "Column 'film_id' of table 'broken_untyped' has no type."
    )
    assert done["broken_untyped"].asset_id is None
    assert set(Asset.objects.values_list("technical_name", flat=True)) == {
        "streaming_films",
        "film_category",
        "category_streams",
    }


def test_a_table_broken_upstream_keeps_its_asset_as_it_was(glue, owner, source):
    run_now(owner, source)
    broken = glue_table_input("film_category")
    broken["StorageDescriptor"]["Columns"][1].pop("Type")
    glue.update_table(DatabaseName=GLUE_DATABASE, TableInput=broken)

    run = run_now(owner, source)

    assert run.status == RunStatus.PARTIALLY_SUCCEEDED
    assert (run.failed, run.unchanged, run.archived) == (1, 2, 0)
    assert "Column 'name' of table 'film_category' has no type" in (
        activities(run)["film_category"].message
    )
    asset = Asset.objects.get(technical_name="film_category")
    assert asset.archived_at is None  # seen in the source, so not archived
    assert asset.current_revision == 1
    assert asset.columns.get(name="name").data_type == "string"


def test_a_duplicated_column_in_the_glue_answer_fails_that_table(glue, proxy, owner, source):
    """A shape moto will not store but a response can carry: the proxy rewrites it."""

    def duplicate_a_column(answer):
        for table in answer["TableList"]:
            if table["Name"] == "streaming_films":
                columns = table["StorageDescriptor"]["Columns"]
                columns.append(dict(columns[0]))
        return answer

    proxy.rewrite(GET_TABLES, duplicate_a_column)

    run = run_now(owner, source)

    assert run.status == RunStatus.PARTIALLY_SUCCEEDED
    assert (run.added, run.failed) == (2, 1)
    assert activities(run)["streaming_films"].message == (
        "Table 'streaming_films' defines column 'film_id' twice."
    )


# --- stuck and repeated runs ------------------------------------------------------------


def test_a_run_stuck_running_is_swept_to_failed_and_the_source_can_run_again(glue, owner, source):
    long_ago = timezone.now() - timedelta(hours=2)
    stuck = DataSourceRun.objects.create(
        data_source=source,
        type=RunType.PRIORITIZED,
        status=RunStatus.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
        total=3,
        processed=1,
    )
    # While it counts as running, asking again returns it.
    again, created = services.data_source_run_start(acting_user=owner, data_source=source)
    assert (again.pk, created) == (stuck.pk, False)

    assert services.sweep_stuck_runs(timeout_seconds=1800) == 1

    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    assert stuck.error_type == RunErrorType.INTERNAL
    assert "made no progress for 30 minutes" in stuck.error_message
    assert stuck.finished_at is not None
    # Sweeping again finds nothing more.
    assert services.sweep_stuck_runs(timeout_seconds=1800) == 0

    run = run_now(owner, source)
    assert run.pk != stuck.pk
    assert run.status == RunStatus.SUCCESS
    assert run.added == 3


def test_a_run_with_a_recent_heartbeat_is_not_swept(owner, source):
    running = DataSourceRun.objects.create(
        data_source=source,
        type=RunType.SCHEDULED,
        status=RunStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=3),
        heartbeat_at=timezone.now() - timedelta(minutes=5),
    )

    assert services.sweep_stuck_runs(timeout_seconds=1800) == 0

    running.refresh_from_db()
    assert running.status == RunStatus.RUNNING


def test_a_run_no_worker_picked_up_is_swept_too(owner, source):
    lost = DataSourceRun.objects.create(data_source=source, type=RunType.PRIORITIZED)
    DataSourceRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))

    assert services.sweep_stuck_runs(timeout_seconds=1800) == 1

    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED
    assert "No worker picked the run up within 30 minutes" in lost.error_message


def test_executing_a_run_that_is_not_requested_does_nothing(glue, owner, source):
    done = run_now(owner, source)
    before = counts(done)

    assert execute_run(done.pk) == "skipped"
    assert run_data_source(str(done.pk)) == "skipped"  # the task, called as a worker would

    done.refresh_from_db()
    assert done.status == RunStatus.SUCCESS
    assert counts(done) == before
    assert RunActivity.objects.filter(run=done).count() == 3
    assert AssetRevision.objects.count() == 3

    running = DataSourceRun.objects.create(
        data_source=source, type=RunType.PRIORITIZED, status=RunStatus.RUNNING
    )
    assert execute_run(running.pk) == "skipped"
    running.refresh_from_db()
    assert (running.status, running.processed, running.started_at) == (
        RunStatus.RUNNING,
        0,
        None,
    )


def test_executing_a_run_that_no_longer_exists_does_nothing():
    assert execute_run(uuid.uuid4()) == "skipped"
    assert not DataSourceRun.objects.exists()
