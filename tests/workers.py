"""Real Celery workers in tests: starting one, pointing this process's tasks at it, and
reading what it logged."""

import os
import re
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def wait_for_log(worker, text: str, count: int, timeout: float = 60) -> str:
    """The worker's log once ``text`` appears ``count`` times in it (or at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        log = worker.log_path.read_text(errors="replace")
        if log.count(text) >= count or time.monotonic() > deadline:
            return log
        time.sleep(0.2)


def outcomes(worker, task_name: str, *results) -> list[str]:
    """What each of the task's messages returned, as the worker logged it on success
    ("<task>[<id>] succeeded in …s '<value>'"), in the order of ``results``."""
    log = wait_for_log(worker, "succeeded", count=len(results))
    found = [
        re.search(rf"{task_name}\[{result.id}\] succeeded in \S+ '(\w+)'", log)
        for result in results
    ]
    assert all(found), log[-3000:]
    return [match.group(1) for match in found]


def start_worker(redis_url: str, queue: str, *, log_prefix: str = "celery-", **extra_env):
    """A real ``celery worker`` process on Redis that consumes ``queue`` and uses this
    test's database, once it logged "ready."; ``process.log_path`` is its log."""
    from django.db import connection

    from tests.conftest import BIN, REPO, stop_process, wait_for

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        TEST_WORKER_DATABASE_NAME=connection.settings_dict["NAME"],
        **{k: str(v) for k, v in extra_env.items()},
    )
    log = tempfile.NamedTemporaryFile(prefix=log_prefix, suffix=".log", delete=False)
    process = subprocess.Popen(
        [
            str(BIN / "celery"), "-A", "meshportal", "worker", "--pool=solo",
            "--concurrency=1", "-Q", queue, "--without-heartbeat", "--without-gossip",
            "--without-mingle", "-l", "info",
        ],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log_path = Path(log.name)  # tests read what the worker did
    try:
        wait_for(lambda: b"ready." in process.log_path.read_bytes(), 60, "celery worker", process)
    except BaseException:
        stop_process(process)
        raise
    return process


def _reset_broker_pools(app):
    # Close and forget pooled broker connections (the app's, its producers' and kombu's
    # global ones): the next message then goes to the broker_url configured now, through
    # an open pool (a closed one raises "Acquire on closed pool").
    import kombu.pools

    kombu.pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def enqueue_to(redis_url: str, queue: str, settings):
    """While inside, this process sends tasks to ``queue`` on Redis (eager mode off), so
    they travel to a real worker; afterwards the app's broker settings are as they were."""
    from meshportal.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)
    _reset_broker_pools(app)
    app.conf.broker_url = redis_url
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved
        _reset_broker_pools(app)
