"""One queued fan-out at a time, however many commits ask for one.

The outbox signals after every recorded event (a transaction of 100 events signals 100
times), and a fan-out reads every event committed before it starts, so one queued task
covers all the commits until it starts. A Redis key says "a fan-out is queued": a commit
enqueues only when it sets the key, the task deletes it as it starts (before reading), so
a commit after that start enqueues the next one and nothing waits for the sweep. The key
expires, so a task lost with its worker blocks nothing for long (and the beat sweep fans
out anyway). Without a Redis broker (eager tasks) every commit fans out inline.
"""

import logging

logger = logging.getLogger(__name__)

KEY = "meshportal:webhooks:fan-out-queued"
TTL_SECONDS = 30

_clients: dict = {}


def _key() -> str:
    from meshportal.celery import app

    # Per queue: a fan-out queued on another queue (another deployment or test on the
    # same Redis) is not this one's.
    return f"{KEY}:{app.conf.task_default_queue}"


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


def claim() -> bool:
    """True when the caller should enqueue a fan-out (none is queued yet)."""
    client = _redis()
    if client is None:
        return True
    try:
        return bool(client.set(_key(), "1", nx=True, ex=TTL_SECONDS))
    except Exception:  # Redis hiccup: enqueue rather than lose the wake-up
        logger.warning("Fan-out debounce unavailable; enqueuing anyway", exc_info=True)
        return True


def release() -> None:
    """Called by the fan-out as it starts: commits from now on enqueue again."""
    client = _redis()
    if client is None:
        return
    try:
        client.delete(_key())
    except Exception:
        logger.warning("Fan-out debounce unavailable", exc_info=True)
