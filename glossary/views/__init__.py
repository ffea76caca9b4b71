"""Pages of the glossary app, one module per seam: glossaries (with their CSV import and
export), terms, metadata form types, publishing rules.

A domain's vocabulary is readable by everyone signed in. Views are thin: they read
through the selectors, validate a form, call a service, and render or redirect. The
services decide who may change what (PermissionDenied → the 403 page) and what is valid
(ValidationError → shown on the form, never a 500).
"""

from .form_types import form_type_create, form_type_detail, form_type_edit, form_type_list  # noqa: F401
from .glossaries import (  # noqa: F401
    glossary_create,
    glossary_detail,
    glossary_edit,
    glossary_export,
    glossary_import,
    glossary_list,
    glossary_status,
)
from .helpers import MAX_CSV_BYTES, PAGE_SIZE, TERM_PAGE_SIZE  # noqa: F401
from .rules import publishing_rule, publishing_rule_list  # noqa: F401
from .terms import term_create, term_detail, term_edit  # noqa: F401
