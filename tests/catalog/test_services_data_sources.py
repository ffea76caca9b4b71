"""Edge cases of the catalog services: schedules, starting runs, beat, sweeping.

The API tests walk the scenario; these pin down what the services decide on their own:
when a schedule fires (in the source's time zone), that a source never has two runs,
that two beat ticks for one slot make one run, and which stuck runs the sweeper fails.
"""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog import services
from catalog.choices import RunErrorType, RunStatus, RunType
from catalog.models import DataSource, DataSourceRun
from projects.choices import EnvironmentStatus
from tests.catalog.factories import DataSourceFactory, DataSourceRunFactory, create_glue_source
from tests.projects.factories import EnvironmentFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def environment(lake):
    """This module's sources live in the conftest's ``lake``."""
    return lake


def create_source(owner, project, environment, **fields):
    return create_glue_source(owner, project, environment, **{"name": "films", **fields})


# --- Schedules ----------------------------------------------------------------------------


def test_no_schedule_means_no_next_run():
    assert services.next_run_after("", "UTC", datetime(2025, 1, 1, tzinfo=UTC)) is None


@pytest.mark.django_db
def test_creating_a_scheduled_source_sets_its_next_run(owner, project, environment):
    before = timezone.now()
    source = create_source(
        owner,
        project,
        environment,
        schedule="  0   2 * * * ",
        schedule_timezone="Europe/Paris",
    )

    source.refresh_from_db()
    assert source.schedule == "0 2 * * *"
    local = source.next_run_at.astimezone(PARIS)
    assert (local.hour, local.minute, local.second) == (2, 0, 0)
    assert before < source.next_run_at <= before + timedelta(hours=25)


@pytest.mark.django_db
def test_a_disabled_source_has_no_next_run_until_enabled(owner, project, environment):
    source = create_source(owner, project, environment, schedule="*/15 * * * *", enabled=False)
    assert source.next_run_at is None

    services.data_source_update(acting_user=owner, data_source=source, enabled=True)
    source.refresh_from_db()
    assert source.next_run_at is not None
    assert source.next_run_at.minute % 15 == 0

    services.data_source_update(acting_user=owner, data_source=source, enabled=False)
    source.refresh_from_db()
    assert source.next_run_at is None


@pytest.mark.django_db
def test_clearing_the_schedule_clears_the_next_run(owner, project, environment):
    source = create_source(owner, project, environment, schedule="0 * * * *")
    assert source.next_run_at is not None

    services.data_source_update(acting_user=owner, data_source=source, schedule="")

    source.refresh_from_db()
    assert source.next_run_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"schedule": "every day"}, "schedule", "five fields"),
        ({"schedule": "0 2 * *"}, "schedule", "five fields"),
        (
            {"schedule": "0 2 * * *", "schedule_timezone": "Mars/Olympus"},
            "schedule_timezone",
            "time zone",
        ),
        (
            {"filter_expressions": [{"type": "MAYBE", "expression": "*"}]},
            "filter_expressions",
            "Filter 1",
        ),
        (
            {"filter_expressions": [{"type": "INCLUDE", "expression": " "}]},
            "filter_expressions",
            "pattern",
        ),
        ({"type": "REDSHIFT"}, "schema_name", "schema"),
    ],
)
def test_bad_source_fields_name_the_field(fields, field, fragment, owner, project, environment):
    with pytest.raises(ValidationError) as raised:
        create_source(owner, project, environment, **fields)

    assert field in raised.value.message_dict
    assert fragment.lower() in " ".join(raised.value.message_dict[field]).lower()
    assert not DataSource.objects.exists()


@pytest.mark.django_db
def test_filter_types_are_normalised_to_upper_case(owner, project, environment):
    source = create_source(
        owner,
        project,
        environment,
        filter_expressions=[{"type": "include", "expression": " film_* "}],
    )

    assert source.filter_expressions == [{"type": "INCLUDE", "expression": "film_*"}]


# --- Starting runs ------------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_a_run_while_one_is_active_returns_that_run(
    owner, project, environment, django_capture_on_commit_callbacks
):
    source = DataSourceFactory(project=project, environment=environment)
    active = DataSourceRunFactory(data_source=source, status=RunStatus.RUNNING)

    with django_capture_on_commit_callbacks() as enqueued:
        run, created = services.data_source_run_start(acting_user=owner, data_source=source)

    assert created is False
    assert run.pk == active.pk
    assert enqueued == []
    assert source.runs.count() == 1


@pytest.mark.django_db
def test_starting_a_run_creates_a_prioritized_run_and_enqueues_it(
    owner, project, environment, django_capture_on_commit_callbacks
):
    source = DataSourceFactory(project=project, environment=environment)
    DataSourceRunFactory(data_source=source, status=RunStatus.FAILED)

    with django_capture_on_commit_callbacks() as enqueued:
        run, created = services.data_source_run_start(acting_user=owner, data_source=source)

    assert created is True
    assert (run.type, run.status, run.requested_by) == (
        RunType.PRIORITIZED,
        RunStatus.REQUESTED,
        owner,
    )
    assert len(enqueued) == 1


# --- Scheduled runs (Celery beat) -------------------------------------------------------


def due_source(project, environment, slot, **fields):
    source = DataSourceFactory(
        project=project, environment=environment, schedule="*/5 * * * *", **fields
    )
    DataSource.objects.filter(pk=source.pk).update(next_run_at=slot)
    source.refresh_from_db()
    return source


@pytest.mark.django_db
def test_a_due_slot_gets_one_scheduled_run_and_the_next_slot_is_set(
    project, environment, django_capture_on_commit_callbacks
):
    now = datetime(2025, 3, 10, 9, 7, tzinfo=UTC)
    slot = datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    source = due_source(project, environment, slot)
    later = due_source(project, environment, now + timedelta(minutes=3))

    with django_capture_on_commit_callbacks() as enqueued:
        assert services.start_due_scheduled_runs(now=now) == 1
        assert services.start_due_scheduled_runs(now=now) == 0

    run = DataSourceRun.objects.get()
    assert (run.data_source, run.type, run.status, run.scheduled_for) == (
        source,
        RunType.SCHEDULED,
        RunStatus.REQUESTED,
        slot,
    )
    assert run.requested_by is None
    assert len(enqueued) == 1
    source.refresh_from_db()
    assert source.next_run_at == datetime(2025, 3, 10, 9, 10, tzinfo=UTC)
    later.refresh_from_db()
    assert later.next_run_at == now + timedelta(minutes=3)


@pytest.mark.django_db
def test_a_slot_already_run_is_not_run_again(project, environment):
    """A second beat that read the old next_run_at: the slot's unique run stops it."""
    now = datetime(2025, 3, 10, 9, 7, tzinfo=UTC)
    slot = datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    source = due_source(project, environment, slot)
    assert services.start_due_scheduled_runs(now=now) == 1
    DataSourceRun.objects.update(status=RunStatus.SUCCESS, finished_at=now)

    DataSource.objects.filter(pk=source.pk).update(next_run_at=slot)  # the stale view
    assert services.start_due_scheduled_runs(now=now) == 0

    assert DataSourceRun.objects.filter(data_source=source).count() == 1


@pytest.mark.django_db
def test_a_due_slot_while_a_run_is_going_is_skipped(project, environment):
    now = datetime(2025, 3, 10, 9, 7, tzinfo=UTC)
    source = due_source(project, environment, datetime(2025, 3, 10, 9, 5, tzinfo=UTC))
    going = DataSourceRunFactory(data_source=source, status=RunStatus.RUNNING)

    assert services.start_due_scheduled_runs(now=now) == 0

    assert list(DataSourceRun.objects.all()) == [going]
    source.refresh_from_db()
    assert source.next_run_at == datetime(2025, 3, 10, 9, 10, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [EnvironmentStatus.CREATING, EnvironmentStatus.CREATE_FAILED, EnvironmentStatus.DELETING],
)
def test_sources_whose_environment_is_not_active_are_not_run(status, project, profile):
    environment = EnvironmentFactory(project=project, profile=profile, status=status)
    slot = datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    source = due_source(project, environment, slot)

    assert services.start_due_scheduled_runs(now=slot + timedelta(minutes=2)) == 0

    assert not DataSourceRun.objects.exists()
    source.refresh_from_db()
    assert source.next_run_at == slot  # it runs once the environment is ACTIVE


@pytest.mark.django_db
def test_disabled_or_unscheduled_sources_are_not_run(project, environment):
    slot = datetime(2025, 3, 10, 9, 5, tzinfo=UTC)
    due_source(project, environment, slot, enabled=False)
    unscheduled = due_source(project, environment, slot)
    DataSource.objects.filter(pk=unscheduled.pk).update(schedule="")

    assert services.start_due_scheduled_runs(now=slot + timedelta(minutes=2)) == 0
    assert not DataSourceRun.objects.exists()


# --- Sweeping stuck runs ------------------------------------------------------------------


@pytest.mark.django_db
def test_sweeper_fails_stuck_runs_and_leaves_fresh_ones(project, environment):
    now = timezone.now()
    old = now - timedelta(minutes=45)
    sources = [DataSourceFactory(project=project, environment=environment) for _ in range(5)]
    stuck_running = DataSourceRunFactory(
        data_source=sources[0], status=RunStatus.RUNNING, heartbeat_at=old
    )
    fresh_running = DataSourceRunFactory(
        data_source=sources[1], status=RunStatus.RUNNING, heartbeat_at=now - timedelta(minutes=5)
    )
    stale_requested = DataSourceRunFactory(data_source=sources[2], status=RunStatus.REQUESTED)
    fresh_requested = DataSourceRunFactory(data_source=sources[3], status=RunStatus.REQUESTED)
    finished = DataSourceRunFactory(data_source=sources[4], status=RunStatus.SUCCESS)
    DataSourceRun.objects.filter(pk__in=[stale_requested.pk, finished.pk]).update(created_at=old)

    assert services.sweep_stuck_runs(timeout_seconds=1800, now=now) == 2

    for run in (stuck_running, stale_requested):
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED
        assert run.error_type == RunErrorType.INTERNAL
        assert run.finished_at == now
    assert "no progress for 30 minutes" in stuck_running.error_message
    assert "No worker picked the run up within 30 minutes" in stale_requested.error_message
    for run, status in (
        (fresh_running, RunStatus.RUNNING),
        (fresh_requested, RunStatus.REQUESTED),
        (finished, RunStatus.SUCCESS),
    ):
        run.refresh_from_db()
        assert run.status == status
        assert run.error_message == ""


@pytest.mark.django_db
def test_a_swept_source_can_run_again(owner, project, environment):
    source = DataSourceFactory(project=project, environment=environment)
    stuck = DataSourceRunFactory(
        data_source=source,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(hours=2),
    )
    assert services.data_source_run_start(acting_user=owner, data_source=source)[1] is False

    services.sweep_stuck_runs(timeout_seconds=1800)
    run, created = services.data_source_run_start(acting_user=owner, data_source=source)

    assert created is True
    assert run.pk != stuck.pk
