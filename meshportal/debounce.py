"""At most one queued task of a kind, however many commits ask for one.

For tasks that do everything waiting when they start (a webhooks fan-out reads every
committed event; a grant task claims every waiting grant): a Redis key says "one is
queued". A commit enqueues only when it sets the key; the task deletes it as it starts
(before reading), so a commit after that start enqueues the next one and nothing waits for
a sweep. The key expires, so a task lost with its worker blocks nothing for long (and a
beat sweep catches up anyway). Without a Redis broker (eager tasks) every commit enqueues.
"""

import logging

logger = logging.getLogger(__name__)

_clients: dict = {}


def _redis():
    from meshportal.celery import app

    if app.conf.task_always_eager:
        return None
    url = str(app.conf.broker_url or "")
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = _clients.get(url)
    if client is None:
        import redis

        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=5)
    return client


class Debounce:
    """The "one is queued" flag of one kind of task (``name``), expiring after ``ttl``."""

    def __init__(self, name: str, *, ttl_seconds: int):
        self.name = name
        self.ttl_seconds = ttl_seconds

    def _key(self) -> str:
        from meshportal.celery import app

        # Per queue: a task queued on another queue (another deployment or test on the
        # same Redis) is not this one's.
        return f"meshportal:{self.name}:{app.conf.task_default_queue}"

    def claim(self) -> bool:
        """True when the caller should enqueue the task (none is queued yet)."""
        client = _redis()
        if client is None:
            return True
        try:
            return bool(client.set(self._key(), "1", nx=True, ex=self.ttl_seconds))
        except Exception:  # Redis hiccup: enqueue rather than lose the wake-up
            logger.warning("%s debounce unavailable; enqueuing anyway", self.name, exc_info=True)
            return True

    def release(self) -> None:
        """Called by the task as it starts: commits from now on enqueue again."""
        client = _redis()
        if client is None:
            return
        try:
            client.delete(self._key())
        except Exception:
            logger.warning("%s debounce unavailable", self.name, exc_info=True)
