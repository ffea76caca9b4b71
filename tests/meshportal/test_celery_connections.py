"""A worker keeps its database connection between tasks, but no task's leftovers."""

import time
from types import SimpleNamespace

import pytest
from django.db import connection

from meshportal.celery import _database_after_task


def _task(*, eager=False):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _advisory_locks_held(pid):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s", [pid]
        )
        return cursor.fetchone()[0]


def _backend_gone(pid) -> bool:
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_after_a_task_that_succeeded_the_connection_stays_and_its_advisory_locks_go():
    pid = _backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('sharing:leftover'))")
    assert _advisory_locks_held(pid) == 1

    _database_after_task(task=_task(), state="SUCCESS")

    assert connection.connection is not None
    assert _backend_pid() == pid  # the same PostgreSQL backend: no reconnect per task
    assert _advisory_locks_held(pid) == 0


@pytest.mark.django_db(transaction=True)
def test_after_a_task_that_failed_or_retries_the_connection_is_closed():
    for state in ("FAILURE", "RETRY"):
        pid = _backend_pid()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('sharing:leftover'))")

        _database_after_task(task=_task(), state=state)

        assert connection.connection is None
        assert _backend_pid() != pid  # a new session: the old one's lock went with it
        # PostgreSQL ends a closed session's backend (and drops its locks) a moment after
        # the client hangs up, not before close() returns: wait for it, up to 10 s.
        assert _backend_gone(pid)
        assert _advisory_locks_held(pid) == 0


@pytest.mark.django_db(transaction=True)
def test_an_eager_task_leaves_its_callers_connection_alone():
    pid = _backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('sharing:caller'))")
    try:
        _database_after_task(task=_task(eager=True), state="FAILURE")
        assert _backend_pid() == pid
        assert _advisory_locks_held(pid) == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")
