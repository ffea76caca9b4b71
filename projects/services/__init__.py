"""Writes of the projects app, one module per seam: projects and members, environments,
notifications and SSO groups, platform administration. ``from projects.services import x``
keeps working for every service.

Each service is ``<noun>_<verb>(*, acting_user, ...)``, runs in one transaction, checks
that the acting user may do it, and raises ValidationError (bad input, naming the field),
PermissionDenied (not allowed) or Conflict (the state has moved on). Background work is
enqueued with transaction.on_commit so a worker never sees a row that was rolled back.
"""

from .administration import (  # noqa: F401
    aws_account_create,
    aws_account_delete,
    aws_account_update,
    domain_create,
    domain_delete,
    domain_update,
    environment_profile_create,
    environment_profile_delete,
    environment_profile_update,
)
from .domain_members import (  # noqa: F401
    domain_member_add,
    domain_member_remove,
    domain_member_update,
)
from .environments import (  # noqa: F401
    DELETABLE_STATUSES,
    derive_resource_names,
    environment_create,
    environment_delete,
    environment_retry,
)
from .notifications import (  # noqa: F401
    notification_create,
    notification_mark_all_read,
    notification_mark_read,
    notifications_create,
    notifications_create_many,
    user_sync_sso_groups,
)
from .projects import (  # noqa: F401
    User,
    project_create,
    project_member_add,
    project_member_remove,
    project_member_update,
    project_update,
)
