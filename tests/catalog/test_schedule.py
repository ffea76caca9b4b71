"""Scheduled runs: when the next one is due, and that beat starts each slot once.

Most tests run inside the test's transaction, so the run a slot creates stays REQUESTED
(its task would be enqueued on commit). The race test uses real commits and two database
connections, one per thread, as two beat processes would.
"""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from catalog import services
from catalog.choices import RunStatus, RunType
from catalog.models import DataSource, DataSourceRun
from meshportal.demo import seed_aws
from projects.choices import EnvironmentStatus
from tests.catalog.factories import create_glue_source

PARIS = ZoneInfo("Europe/Paris")
SLOT = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)


@pytest.fixture
def scheduled(owner, project, environment):
    """A source on `*/5 * * * *` (Paris time) whose next slot is SLOT."""
    source = create_glue_source(
        owner, project, environment, schedule="*/5 * * * *", schedule_timezone="Europe/Paris"
    )
    DataSource.objects.filter(pk=source.pk).update(next_run_at=SLOT)
    source.refresh_from_db()
    return source


def next_run_at(source):
    return DataSource.objects.values_list("next_run_at", flat=True).get(pk=source.pk)


# --- next_run_at -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_creating_a_scheduled_source_sets_its_next_run(owner, project, environment):
    before = timezone.now()
    source = create_glue_source(
        owner, project, environment, schedule="*/5 * * * *", schedule_timezone="Europe/Paris"
    )

    assert source.next_run_at > before
    assert source.next_run_at - before <= timedelta(minutes=5)
    assert source.next_run_at.minute % 5 == 0
    assert (source.next_run_at.second, source.next_run_at.microsecond) == (0, 0)


@pytest.mark.django_db
def test_sources_without_a_schedule_or_disabled_have_no_next_run(owner, project, environment):
    on_demand = create_glue_source(owner, project, environment, name="On demand")
    disabled = create_glue_source(
        owner, project, environment, name="Disabled", schedule="0 2 * * *", enabled=False
    )

    assert on_demand.next_run_at is None
    assert disabled.next_run_at is None


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # 02:00 in Paris is 01:00 UTC in winter (CET) …
        (datetime(2026, 1, 10, 12, 0, tzinfo=UTC), datetime(2026, 1, 11, 1, 0, tzinfo=UTC)),
        # … and 00:00 UTC in summer (CEST).
        (datetime(2026, 7, 10, 12, 0, tzinfo=UTC), datetime(2026, 7, 11, 0, 0, tzinfo=UTC)),
        # Strictly after: a slot that has just fired is not the next one.
        (datetime(2026, 7, 11, 0, 0, tzinfo=UTC), datetime(2026, 7, 12, 0, 0, tzinfo=UTC)),
        # The same in another year, from mid-month …
        (datetime(2025, 1, 15, 12, 0, tzinfo=UTC), datetime(2025, 1, 16, 1, 0, tzinfo=UTC)),
        (datetime(2025, 7, 15, 12, 0, tzinfo=UTC), datetime(2025, 7, 16, 0, 0, tzinfo=UTC)),
        # … and just before the slot: the same night.
        (datetime(2025, 1, 16, 0, 59, tzinfo=UTC), datetime(2025, 1, 16, 1, 0, tzinfo=UTC)),
    ],
)
def test_next_run_follows_the_schedules_time_zone(after, expected):
    assert services.next_run_after("0 2 * * *", "Europe/Paris", after) == expected


def test_every_five_minutes_in_a_time_zone():
    after = datetime(2026, 3, 2, 9, 3, 20, tzinfo=UTC)
    following = services.next_run_after("*/5 * * * *", "Europe/Paris", after)
    assert following == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert following.astimezone(PARIS).hour == 10


# --- start_due_scheduled_runs ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_due_slot_starts_one_scheduled_run_and_moves_to_the_next(scheduled):
    started = services.start_due_scheduled_runs(now=SLOT + timedelta(minutes=1))

    assert started == 1
    run = DataSourceRun.objects.get(data_source=scheduled)
    assert run.type == RunType.SCHEDULED
    assert run.status == RunStatus.REQUESTED
    assert run.scheduled_for == SLOT
    assert run.requested_by is None
    assert next_run_at(scheduled) == SLOT + timedelta(minutes=5)


@pytest.mark.django_db
def test_a_second_beat_for_the_same_slot_starts_nothing(scheduled):
    now = SLOT + timedelta(seconds=30)
    assert services.start_due_scheduled_runs(now=now) == 1

    assert services.start_due_scheduled_runs(now=now) == 0

    assert DataSourceRun.objects.filter(data_source=scheduled).count() == 1
    assert next_run_at(scheduled) == SLOT + timedelta(minutes=5)


@pytest.mark.django_db
def test_a_slot_not_yet_due_starts_nothing(scheduled):
    assert services.start_due_scheduled_runs(now=SLOT - timedelta(seconds=1)) == 0

    assert not DataSourceRun.objects.exists()
    assert next_run_at(scheduled) == SLOT


@pytest.mark.django_db
def test_a_disabled_source_starts_nothing(scheduled):
    DataSource.objects.filter(pk=scheduled.pk).update(enabled=False)

    assert services.start_due_scheduled_runs(now=SLOT + timedelta(hours=1)) == 0

    assert not DataSourceRun.objects.exists()


@pytest.mark.django_db
def test_a_source_whose_environment_is_not_active_starts_nothing(scheduled, environment):
    type(environment).objects.filter(pk=environment.pk).update(status=EnvironmentStatus.DELETING)

    assert services.start_due_scheduled_runs(now=SLOT + timedelta(hours=1)) == 0

    assert not DataSourceRun.objects.exists()


@pytest.mark.django_db
def test_a_slot_while_a_run_is_active_is_skipped_without_error(scheduled, owner):
    active = DataSourceRun.objects.create(
        data_source=scheduled, type=RunType.PRIORITIZED, requested_by=owner
    )

    assert services.start_due_scheduled_runs(now=SLOT + timedelta(minutes=1)) == 0

    assert list(DataSourceRun.objects.all()) == [active]
    assert next_run_at(scheduled) == SLOT + timedelta(minutes=5)  # the slot is spent
    # Once the run has finished, the next slot starts normally.
    DataSourceRun.objects.filter(pk=active.pk).update(status=RunStatus.SUCCESS)
    assert services.start_due_scheduled_runs(now=SLOT + timedelta(minutes=6)) == 1
    assert DataSourceRun.objects.get(type=RunType.SCHEDULED).scheduled_for == SLOT + timedelta(
        minutes=5
    )


@pytest.mark.django_db
def test_after_a_long_pause_one_run_catches_up_instead_of_one_per_missed_slot(scheduled):
    now = SLOT + timedelta(minutes=62)

    assert services.start_due_scheduled_runs(now=now) == 1

    assert DataSourceRun.objects.get().scheduled_for == SLOT
    assert next_run_at(scheduled) == SLOT + timedelta(minutes=65)


@pytest.mark.django_db
def test_only_due_sources_start(owner, project, environment, scheduled):
    later = create_glue_source(owner, project, environment, name="Hourly", schedule="0 * * * *")
    DataSource.objects.filter(pk=later.pk).update(next_run_at=SLOT + timedelta(minutes=55))

    assert services.start_due_scheduled_runs(now=SLOT + timedelta(minutes=1)) == 1

    assert list(DataSourceRun.objects.values_list("data_source", flat=True)) == [scheduled.pk]


# --- two beats at once -----------------------------------------------------------------------


def race_beats(count: int, *, now, timeout: float) -> list[int]:
    """``count`` beats claiming due slots at the same instant, each in a thread with its
    own database connection; how many runs each started. A beat that raised fails the
    test."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def beat():
        try:
            barrier.wait(timeout=10)
            results.append(services.start_due_scheduled_runs(now=now))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()  # this thread's connection

    threads = [threading.Thread(target=beat) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_two_beats_racing_for_a_slot_create_exactly_one_run(aws, scheduled):
    """Two threads, each with its own database connection, claim the same slot at once.
    The run they start is real: its (eager) task imports curatedzonedb from moto."""
    seed_aws()
    results = race_beats(2, now=SLOT + timedelta(minutes=1), timeout=60)

    assert sorted(results) == [0, 1]
    run = DataSourceRun.objects.get(data_source=scheduled)
    assert run.scheduled_for == SLOT
    assert run.status == RunStatus.SUCCESS, run.error_message
    assert run.added == 3
    assert next_run_at(scheduled) == SLOT + timedelta(minutes=5)


@pytest.mark.django_db(transaction=True)
def test_many_beats_racing_over_several_sources_start_each_slot_once(
    aws, owner, project, environment
):
    seed_aws()
    sources = [
        create_glue_source(
            owner,
            project,
            environment,
            name=f"Source {i}",
            schedule="*/5 * * * *",
            # Each run lists curatedzonedb but imports nothing: the race is about slots.
            filter_expressions=[{"type": "INCLUDE", "expression": "nothing_*"}],
        )
        for i in range(4)
    ]
    DataSource.objects.update(next_run_at=SLOT)
    results = race_beats(4, now=SLOT + timedelta(minutes=1), timeout=120)

    assert sum(results) == 4
    for source in sources:
        run = DataSourceRun.objects.get(data_source=source)
        assert run.scheduled_for == SLOT
        assert (run.status, run.total) == (RunStatus.SUCCESS, 0)
    assert set(DataSource.objects.values_list("next_run_at", flat=True)) == {
        SLOT + timedelta(minutes=5)
    }
