"""When to try a delivery again: one schedule for webhooks and EventBridge.

Exponential backoff with full jitter, the first retry within a minute, and attempts for
about a day in total; after the last one the target is disabled and its owners told.
"""

import random
from datetime import timedelta

# Upper bounds (seconds) of the wait before attempt n+1; jitter picks within [b/2, b].
# Sum of the bounds ≈ 26 h, of the lower halves ≈ 13 h: "about a day".
RETRY_BOUNDS = (30, 120, 300, 900, 1800, 3600, 7200, 14400, 21600, 21600, 21600)
MAX_ATTEMPTS = len(RETRY_BOUNDS) + 1


def retry_delay(attempts: int, *, rng=random) -> timedelta | None:
    """The wait after ``attempts`` failed attempts, or None when it is time to give up."""
    if attempts < 1 or attempts > len(RETRY_BOUNDS):
        return None
    bound = RETRY_BOUNDS[attempts - 1]
    return timedelta(seconds=rng.uniform(bound / 2, bound))
