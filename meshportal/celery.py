"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meshportal.settings")

app = Celery("meshportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def tasks_run_inline() -> bool:
    """Tasks run in the calling process (eager: no broker configured, or the tests)."""
    from django.conf import settings

    return bool(app.conf.task_always_eager or settings.CELERY_TASK_ALWAYS_EAGER)


@worker_init.connect
@beat_init.connect
def _require_secret_key(**kwargs):
    """Stop a worker or beat that would run without a production SECRET_KEY.

    Celery logs and swallows exceptions of signal receivers, so this exits instead.
    """
    from django.core.exceptions import ImproperlyConfigured

    from meshportal.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(f"ImproperlyConfigured: {error}") from error


@task_postrun.connect
def _database_after_task(task=None, state=None, **kwargs):
    """Keep a worker's database connection between tasks (CELERY_DB_REUSE_MAX), but never
    carry a session's leftovers into the next task: after a task that did not succeed the
    connection is closed (it may hold an advisory lock or sit in an aborted transaction);
    after one that did, session advisory locks are let go (a grant's table lock must never
    outlive its task) and Django closes the connection when it is too old or unusable, as
    it does after a web request. Eager tasks run inside the caller's connection: untouched.
    """
    if task is None or getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections, connections

    if state != "SUCCESS":
        connections.close_all()
        return
    close_old_connections()
    connection = connections["default"]
    if connection.connection is not None and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")
