"""Signals the glossary app sends to apps that build on it (catalog).

The glossary sits below the catalog (``projects ← glossary ← catalog``), so it cannot call
the catalog's search code; it announces that a term's words changed and the catalog,
connected in its ``AppConfig.ready()``, rebuilds the search documents that carry the term.
"""

from django.dispatch import Signal

# Sent inside the service's transaction after a term's name, synonyms or is_a parents
# were set (created, updated or imported). Arguments: ``term_ids`` — the ids (UUIDs) of
# the terms whose words changed. Receivers also look at narrower terms: a listing's
# search document carries the names of its terms' broader terms.
term_words_changed = Signal()
