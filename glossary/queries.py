"""Term querysets that stay small however long descriptions get.

Why: pickers, suggestions and snapshots load many terms at once, each with its glossary.
Fetching the glossary row with every term repeats the glossary's description once per
term (20,000 terms × a 1 MB description took a web process past 20 GB). These helpers
leave the long text columns in the database; code that shows a term's own page reads
the term with its descriptions on its own.
"""

from .models import GlossaryTerm

# Columns that may be long and that no list, picker or index shows.
TERM_HEAVY_FIELDS = ("long_description", "glossary__description")


def light_terms(queryset=None):
    """``queryset`` (default: every term) with its glossary joined, without the long
    text columns of either."""
    if queryset is None:
        queryset = GlossaryTerm.objects.all()
    return queryset.select_related("glossary").defer(*TERM_HEAVY_FIELDS)
