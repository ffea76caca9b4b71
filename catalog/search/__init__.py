"""Catalog search: ranked full-text search over published listings (and a project's
inventory), with facets, snippets and early termination for large catalogs.

- ``documents``: each listing's stored, weighted search document and its rebuilds
  (publish, glossary term changes, ``manage.py rebuild_search``).
- ``query``: the query language people type and the tsqueries Postgres builds from it.
- ``engine``: candidates, ranking, snippets, the capped count and the facets.
"""

from .documents import (
    on_term_words_changed,
    rebuild_listing_documents,
    rebuild_listings,
    rebuild_listings_task,
)
from .engine import (
    COUNT_CAP,
    PAGE_SIZE,
    SORTS,
    FacetValue,
    Hit,
    SearchRequest,
    SearchResults,
    search_inventory,
    search_listings,
)
from .query import MAX_QUERY_LENGTH, parse_query

__all__ = [
    "COUNT_CAP",
    "PAGE_SIZE",
    "MAX_QUERY_LENGTH",
    "SORTS",
    "FacetValue",
    "Hit",
    "SearchRequest",
    "SearchResults",
    "on_term_words_changed",
    "parse_query",
    "rebuild_listing_documents",
    "rebuild_listings",
    "rebuild_listings_task",
    "search_inventory",
    "search_listings",
]
