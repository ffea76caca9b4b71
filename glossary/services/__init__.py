"""Writes of the glossary app, one module per seam: glossaries, terms, their CSV, form
types, publishing rules. ``from glossary.services import x`` keeps working for every
service.
"""

from .csv_files import CSV_HEADER, CsvImportError, glossary_export_csv, glossary_import_csv  # noqa: F401
from .form_types import form_type_create, form_type_update  # noqa: F401
from .glossaries import GLOSSARY_FIELDS, LIST_SEPARATOR, glossary_create, glossary_update  # noqa: F401
from .rules import publishing_rule_set  # noqa: F401
from .terms import TERM_FIELDS, check_is_a_acyclic, term_create, term_index, term_update  # noqa: F401
