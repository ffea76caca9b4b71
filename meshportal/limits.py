"""The maxima every input is held to, in one place, with the checks that enforce them.

Why: one signed-in user must not be able to make the portal hold an unbounded amount of
data in memory per request (a 1 MB glossary description read once per term took a web
process to 23 GB), nor make a single request do unbounded work. Each limit answers a
clear 400 that names it, never a 500. The numbers leave room for real catalogs (Glue
allows a few hundred columns per table, a business glossary has a few thousand terms).
"""

from django.core.exceptions import ValidationError

# Markdown descriptions of domains, projects, glossaries, terms, form types, publishing
# rules, assets and columns (assets had this limit first).
DESCRIPTION_MAX_CHARS = 20_000

# Terms per glossary CSV import (a field over the csv module's 131,072 characters is
# refused by the import with the line number).
CSV_IMPORT_MAX_TERMS = 5_000

SYNONYMS_PER_TERM_MAX = 50
RELATED_TERMS_MAX = 50  # is_a / classifies of one term
FIELDS_PER_FORM_TYPE_MAX = 100
FILTER_EXPRESSIONS_MAX = 100
COLUMNS_PER_UPDATE_MAX = 2_000
TERMS_PER_TARGET_MAX = 100  # glossary terms attached to one asset or one column

# Request bodies: how deeply JSON may nest (real payloads here nest four or five levels).
JSON_MAX_DEPTH = 32


def clean_description(value, field: str = "description") -> str:
    """The description as stored, or a 400 when it is longer than the limit."""
    value = value or ""
    if not isinstance(value, str):
        raise ValidationError({field: ["Give text."]})
    if len(value) > DESCRIPTION_MAX_CHARS:
        raise ValidationError(
            {
                field: [
                    f"Use at most {DESCRIPTION_MAX_CHARS:,} characters (this has {len(value):,})."
                ]
            }
        )
    return value


def check_count(items, maximum: int, field: str, what: str) -> None:
    """A 400 when a list is longer than its limit."""
    if items is not None and hasattr(items, "__len__") and len(items) > maximum:
        raise ValidationError(
            {field: [f"Give at most {maximum:,} {what} (this has {len(items):,})."]}
        )


# Assets one bulk action of the inventory (publish, accept suggestions) may name: a page
# of the inventory. Each is its own transaction, so the request's work stays bounded.
BULK_ASSETS_MAX = 50
