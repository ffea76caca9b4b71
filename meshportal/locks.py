"""Advisory locks: one worker at a time on a piece of work, without a long transaction."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def advisory_lock(name: str):
    """Yield True if this session got the PostgreSQL advisory lock ``name``, else False.

    Session-level, so the work inside may commit as it goes (progress stays visible);
    released on exit.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])
