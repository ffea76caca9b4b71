"""Writes of the catalog app.

Same rules as every app's services: keyword-only ``acting_user``, one transaction,
ValidationError naming the field, PermissionDenied, Conflict; tasks enqueued on commit.
"""

from .assets import *  # noqa: F403
from .bulk import *  # noqa: F403
from .data_sources import *  # noqa: F403
from .listings import *  # noqa: F403
