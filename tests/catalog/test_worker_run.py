"""Imports through a real Celery worker process on a real Redis.

The test process starts the run (eager mode off): the service enqueues the task on
commit, Redis holds the message, `celery worker` imports from moto's server into this
test's database, and the test reads the outcome back from the database.
"""

import re
import time

import pytest

from catalog import services
from catalog.choices import ActivityStatus, RunStatus, RunType
from catalog.models import Asset, DataSourceRun, RunActivity
from catalog.tasks import run_data_source
from meshportal.demo import seed_aws
from tests.catalog.factories import create_glue_source
from tests.projects.factories import EnvironmentFactory
from tests.workers import outcomes, wait_for_log

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until_finished(run_id, timeout: float = 60) -> DataSourceRun:
    """Poll the database until the run leaves REQUESTED/RUNNING (or the deadline passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = DataSourceRun.objects.get(pk=run_id)
        if not run.is_active:
            return run
        time.sleep(0.2)
    return DataSourceRun.objects.get(pk=run_id)


@pytest.fixture
def source(aws, owner, project, profile):
    seed_aws()
    environment = EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    return create_glue_source(owner, project, environment)


def test_a_worker_imports_the_data_source_end_to_end(celery_worker, owner, source):
    run, created = services.data_source_run_start(acting_user=owner, data_source=source)
    assert created

    run = wait_until_finished(run.pk)

    assert run.status == RunStatus.SUCCESS, (
        run.error_message or celery_worker.log_path.read_text()[-3000:]
    )
    assert (run.total, run.processed, run.added, run.failed) == (3, 3, 3, 0)
    assert run.started_at is not None and run.finished_at is not None
    assert set(Asset.objects.values_list("technical_name", flat=True)) == {
        "streaming_films",
        "film_category",
        "category_streams",
    }
    assert set(RunActivity.objects.filter(run=run).values_list("status", flat=True)) == {
        ActivityStatus.SUCCEEDED_CREATED
    }
    # The worker process did the import, not this one.
    log = wait_for_log(celery_worker, "succeeded", count=1)
    assert re.search(r"catalog\.tasks\.run_data_source\[[\w-]+\] received", log)
    assert re.search(r"catalog\.tasks\.run_data_source\[[\w-]+\] succeeded in \S+ 'SUCCESS'", log)


def test_a_message_delivered_twice_runs_the_import_once(celery_worker, source):
    run = DataSourceRun.objects.create(data_source=source, type=RunType.PRIORITIZED)

    first = run_data_source.delay(str(run.pk))
    second = run_data_source.delay(str(run.pk))
    # The first delivery imported; the second found the run no longer REQUESTED.
    assert outcomes(celery_worker, "run_data_source", first, second) == ["SUCCESS", "skipped"]
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCESS
    assert (run.added, run.processed) == (3, 3)
    assert RunActivity.objects.filter(run=run).count() == 3
    assert Asset.objects.count() == 3
