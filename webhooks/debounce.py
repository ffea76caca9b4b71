"""One queued fan-out at a time, however many commits ask for one.

The outbox signals after every recorded event (a transaction of 100 events signals 100
times), and a fan-out reads every event committed before it starts, so one queued task
covers all the commits until it starts. A Redis key says "a fan-out is queued": a commit
enqueues only when it sets the key, the task deletes it as it starts (before reading), so
a commit after that start enqueues the next one and nothing waits for the sweep. The key
expires, so a task lost with its worker blocks nothing for long (and the beat sweep fans
out anyway). Without a Redis broker (eager tasks) every commit fans out inline.
"""

from meshportal.debounce import Debounce

_FAN_OUT = Debounce("webhooks:fan-out-queued", ttl_seconds=30)

claim = _FAN_OUT.claim
release = _FAN_OUT.release
