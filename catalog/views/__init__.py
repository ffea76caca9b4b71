"""Pages of the catalog app, one module per seam: data sources and runs (``sources``),
the inventory and assets with their suggestions (``assets``), editing business metadata
(``editing``), publishing and listings (``publishing``), search (``search``).

Same shape as projects/views.py: read through selectors (already narrowed to what the
user may see, so anything else is a 404), validate a form, call a service, render or
redirect. Services decide who may change what (PermissionDenied → the 403 page), what is
valid (ValidationError → on the form or in a flash message) and what no longer applies
(Conflict → a flash message).
"""

from .assets import (  # noqa: F401
    ARCHIVED_CHOICES,
    asset_detail,
    asset_suggestions_accept_all,
    asset_suggestions_reject_all,
    inventory,
    inventory_bulk,
    suggestion_accept,
    suggestion_reject,
)
from .contacts import publisher_detail  # noqa: F401
from .editing import (  # noqa: F401
    SERVICE_COLUMN_FIELDS,
    asset_columns_edit,
    asset_edit,
    asset_form_add,
    asset_form_edit,
    asset_form_remove,
    asset_term_options,
)
from .helpers import ACTIVITY_PAGE_SIZE, INVENTORY_PAGE_SIZE, REVISION_PAGE_SIZE, RUN_PAGE_SIZE  # noqa: F401
from .publishing import (  # noqa: F401
    CATALOG_PAGE_SIZE,
    TERM_ASSET_LIMIT,
    asset_publish,
    asset_revision,
    asset_unpublish,
    catalog,
    listing_detail,
    term_assets,
)
from .search import search  # noqa: F401
from .sources import (  # noqa: F401
    ACTIVITY_TABS,
    data_source_create,
    data_source_delete,
    data_source_detail,
    data_source_edit,
    data_source_run,
    data_source_toggle,
    run_detail,
)
from .suggest import search_suggest  # noqa: F401
