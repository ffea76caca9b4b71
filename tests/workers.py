"""Reading what a real Celery worker (the ``celery_worker`` fixture) logged."""

import re
import time


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
