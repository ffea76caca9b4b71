"""Pages of the projects app, one module per seam: home and projects (``projects``),
a project's members (``members``), environments (``environments``), the Domains page
(``domains``) and a domain's members (``domain_members``), the inbox
(``notifications``), and the platform admins' setup pages (``platform``).

Views are thin: they read through selectors (already narrowed to what the user may see,
so anything else is a 404), validate a form, call a service, and render or redirect.
Services decide who may change what (PermissionDenied → the 403 page) and what is valid
(ValidationError → shown on the form or as a flash message, never a 500).
"""

from .domain_members import (  # noqa: F401
    domain_member_add,
    domain_member_list,
    domain_member_remove,
    domain_member_update,
)
from .domains import domain_list  # noqa: F401
from .environments import (  # noqa: F401
    environment_create,
    environment_delete,
    environment_detail,
    environment_retry,
)
from .helpers import HOME_LIST_SIZE, PAGE_SIZE  # noqa: F401
from .members import (  # noqa: F401
    project_member_add,
    project_member_remove,
    project_member_update,
)
from .notifications import (  # noqa: F401
    NOTIFICATION_TABS,
    notification_list,
    notification_read,
    notification_read_all,
)
from .platform import (  # noqa: F401
    platform_account_check,
    platform_account_create,
    platform_account_delete,
    platform_account_edit,
    platform_domain_create,
    platform_domain_delete,
    platform_domain_detail,
    platform_domain_edit,
    platform_home,
    platform_profile_create,
    platform_profile_delete,
    platform_profile_edit,
)
from .projects import (  # noqa: F401
    home,
    project_create,
    project_detail,
    project_edit,
    project_list,
)
