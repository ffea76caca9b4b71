"""Running a search: candidates, ranking, snippets, a capped count and facets.

Three queries per search with words (two without): the tsqueries (query.prepare), the
count with every facet (and their labels), and the page of results with snippets.

Early termination. Ranking every match of a common word costs 0.5–1 s at a million
listings, so relevance ranks a bounded candidate set, the union of:
exact name matches (btree on lower(name) / lower(technical_name)); the newest matches in
names and terms (``name_vector``: selective, high-value); the newest listings matching
every word; the newest listings matching any word. Each part walks an index in a static
order (published_at) and stops at its LIMIT, whichever index the planner picks. Only the
candidates are scored (ts_rank_cd plus bonuses), only the page's rows get a snippet.
Sorting by name or date needs no candidates: the index order is the answer.

The total is counted up to COUNT_CAP + 1 matches (from the GIN index alone: a bitmap scan
that returns no column reads no row): beyond that the API says ``count_is_estimate`` and
the page "10,000+", as search engines do. Facets are counted over the newest
FACET_SAMPLE matches and, when more match, scaled to the total (``facets_are_estimates``).

- ``request``: what was asked (``SearchRequest``) and the limits.
- ``results``: what is answered (``SearchResults``, ``Hit``, ``FacetValue``).
- ``sql``: where to search (listings or an inventory) and the statements.
- ``run``: the entry points, ``search_listings`` and ``search_inventory``.
"""

from .request import (  # noqa: F401
    ANY_CANDIDATES,
    COUNT_CAP,
    EVERY_CANDIDATES,
    EXACT_CANDIDATES,
    FACET_SAMPLE,
    FACET_VALUES,
    FACETS,
    HEADLINE_OPTIONS,
    MAX_PAGE_SIZE,
    MAX_RESULTS,
    NAME_CANDIDATES,
    PAGE_SIZE,
    RANK_WEIGHTS,
    SNIPPET_CHARS,
    SORTS,
    SearchRequest,
)
from .results import FacetValue, Hit, SearchResults, escape_snippet, plain_snippet  # noqa: F401
from .run import search_inventory, search_listings  # noqa: F401
from .sql import NO_SEQSCAN, PLANNER_DEFAULTS, WORK_MEM  # noqa: F401
