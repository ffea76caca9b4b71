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
"""

# SQL here is assembled from constants and model table names only; every value that
# comes from a person (words, ids, filters) is a query parameter.
# ruff: noqa: S608

import html
import json
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from ..choices import AssetType
from ..models import Asset, AssetColumn, Listing
from .documents import MARK_START, MARK_STOP, document_vector_sql, name_vector_sql
from .query import ParsedQuery, Prepared, parse_query, prepare

SORTS = {"relevance": "Relevance", "name": "Name", "published": "Newest"}
PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
MAX_RESULTS = 10_000  # how deep pagination goes (sorted by name or date)
COUNT_CAP = 10_000
EXACT_CANDIDATES, NAME_CANDIDATES, EVERY_CANDIDATES, ANY_CANDIDATES = 20, 100, 400, 400
# Facets are counted over the newest this many matches; beyond, they are estimates scaled
# to the count.
FACET_SAMPLE = 1000
FACET_VALUES = 20
FACETS = ("domain", "project", "asset_type", "glossary_term")
# D, C, B, A: ts_rank_cd's default weights, spelt out.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_STOP}, MaxFragments=2, MaxWords=30, MinWords=15, "
    'ShortWord=2, FragmentDelimiter=" … "'
)
SNIPPET_CHARS = 240


# --- The request ------------------------------------------------------------------------


@dataclass
class SearchRequest:
    """What to search for: text, filters (OR within one, AND across), order, page."""

    q: str = ""
    domain: list = field(default_factory=list)
    project: list = field(default_factory=list)
    asset_type: list = field(default_factory=list)
    glossary_term: list = field(default_factory=list)
    forms: dict = field(default_factory=dict)  # {"Form / Field label": [values]}
    sort: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE

    @classmethod
    def from_query(cls, params, *, default_page_size: int = PAGE_SIZE) -> "SearchRequest":
        """From a QueryDict (page or API); ValidationError names each bad parameter."""
        errors, request = {}, cls(q=params.get("q") or "", page_size=default_page_size)
        for name in ("domain", "project", "glossary_term"):
            values = [v for v in params.getlist(name) if v]
            try:
                setattr(request, name, sorted({str(uuid.UUID(v)) for v in values}))
            except ValueError:
                errors[name] = [f"Give {name.replace('_', ' ')} ids (UUIDs)."]
        types = [v for v in params.getlist("asset_type") if v]
        if set(types) - set(AssetType.values):
            errors["asset_type"] = [f"Choose among {', '.join(AssetType.values)}."]
        request.asset_type = sorted(set(types))
        for key in params:
            if key.startswith("form.") and len(key) > 5:
                values = sorted({v[:200] for v in params.getlist(key) if v})
                if values:
                    request.forms[key[5:][:300]] = values
        sort = params.get("sort") or ""
        if sort and sort not in SORTS:
            errors["sort"] = [f"Sort by {', '.join(SORTS)}."]
        request.sort = sort
        for name, low, high in (("page", 1, None), ("page_size", 1, MAX_PAGE_SIZE)):
            raw = params.get(name)
            if raw in (None, ""):
                continue
            try:
                value = int(raw)
            except ValueError:
                errors[name] = ["Give a whole number."]
                continue
            if value < low or (high is not None and value > high):
                errors[name] = [
                    f"Give a number from {low} to {high}." if high else f"Give {low} or more."
                ]
            setattr(request, name, value)
        if not errors and (request.page - 1) * request.page_size >= MAX_RESULTS:
            errors["page"] = [
                f"Only the first {MAX_RESULTS:,} results can be paged through; narrow the search."
            ]
        if errors:
            raise ValidationError(errors)
        return request

    def filter_params(self) -> list[tuple[str, str]]:
        """The filters as query parameters (for links that add or remove one)."""
        pairs = [(name, value) for name in FACETS for value in getattr(self, name)]
        pairs += [(f"form.{key}", v) for key, values in sorted(self.forms.items()) for v in values]
        return pairs

    @property
    def has_filters(self) -> bool:
        return bool(self.filter_params())


# --- The answer -------------------------------------------------------------------------


@dataclass
class Hit:
    id: str
    kind: str  # "listing" or "asset" (inventory search)
    name: str
    technical_name: str
    asset_type: str
    project: dict
    domain: dict
    glossary_terms: list
    published_at: object
    snippet: SafeString
    database_name: str = ""
    schema_name: str = ""
    approval_required: bool | None = None
    score: float | None = None

    @property
    def pk(self) -> str:
        return self.id

    @property
    def url(self) -> str:
        return reverse(
            "listing-detail" if self.kind == "listing" else "asset-detail", args=[self.id]
        )

    @property
    def asset_type_label(self) -> str:
        try:
            return AssetType(self.asset_type).label
        except ValueError:
            return self.asset_type

    @property
    def snapshot(self) -> dict:
        """The parts of a listing's snapshot the listing card reads."""
        return {
            "type": self.asset_type,
            "technical_name": self.technical_name,
            "database_name": self.database_name,
            "schema_name": self.schema_name,
            "glossary_terms": self.glossary_terms,
        }


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    request: SearchRequest
    parsed: ParsedQuery
    hits: list
    count: int
    count_is_estimate: bool
    facets: dict  # {"domain": [FacetValue], …, "form.<key>": [FacetValue]}
    sort: str
    has_next: bool
    notes: list
    ranked_window: int | None = None  # relevance: how many candidates were ranked
    facets_are_estimates: bool = False  # counted in a sample, scaled to the count

    @property
    def has_previous(self) -> bool:
        return self.request.page > 1

    @property
    def count_display(self) -> str:
        return f"{self.count:,}+" if self.count_is_estimate else f"{self.count:,}"


def escape_snippet(raw: str | None) -> SafeString:
    """ts_headline's output → HTML: everything escaped, matches in <mark>.

    The stored text is HTML-escaped already (entities survive ts_headline); unescaping
    first and escaping once here means nothing in it can ever be markup."""
    parts = []
    for piece in (raw or "").split(MARK_START):
        if MARK_STOP in piece:
            marked, rest = piece.split(MARK_STOP, 1)
            parts.append(f"<mark>{html.escape(html.unescape(marked))}</mark>")
            parts.append(html.escape(html.unescape(rest.replace(MARK_STOP, ""))))
        else:
            parts.append(html.escape(html.unescape(piece)))
    return mark_safe("".join(parts))  # noqa: S308 (escaped piece by piece above)


# --- Sources: published listings, or one project's inventory -----------------------------


@dataclass
class _Source:
    kind: str
    relation: str
    base: str  # SQL condition every row must meet
    with_sql: str = ""  # a CTE defining ``relation`` (inventory)
    with_params: list = field(default_factory=list)


def _listing_source() -> _Source:
    # A literal status (not a parameter) lets the planner use the partial GIN indexes.
    return _Source("listing", Listing._meta.db_table, "l.status = 'ACTIVE'")


def _inventory_source(project_id) -> _Source:
    """A project's (not archived) assets with documents built at query time, with the
    same weights as listings: A names, B terms (synonyms, direct broader terms) and
    column names, C description, D column descriptions. A project's inventory is small
    enough (hundreds to a few thousand tables) to do that per search."""
    asset, column = Asset._meta.db_table, AssetColumn._meta.db_table
    asset_terms = Asset.glossary_terms.through._meta.db_table
    column_terms = AssetColumn.glossary_terms.through._meta.db_table
    from glossary.models import Glossary, GlossaryTerm

    term, glossary = GlossaryTerm._meta.db_table, Glossary._meta.db_table
    is_a = GlossaryTerm.is_a.through._meta.db_table

    def split(expr):
        return f"regexp_replace({expr}, '([a-z0-9])([A-Z])', '\\1 \\2', 'g')"

    def index(expr):  # as documents.index_text: punctuation but ' and - becomes a space
        return f"regexp_replace({expr}, '[^\\w\\s''-]+', ' ', 'g')"

    a_raw = f"concat_ws(' ', a.business_name, a.technical_name, {split('a.technical_name')})"
    a_text = index(a_raw)
    b_text = index("concat_ws(' ', terms.words, cols.b)")
    c_text = index("concat_ws(' ', a.description, a.database_name, a.schema_name)")
    d_text = index("COALESCE(cols.d, '')")
    names = index(f"concat_ws(' ', {a_raw}, terms.names)")
    text = "left(concat_ws(' · ', NULLIF(a.description, ''), 'Columns: ' || cols.text), 4000)"
    # As documents.snippet_text, then HTML-escaped as the listings' stored text is.
    joined = f"regexp_replace({text}, '(\\w)([/.@:\\\\])(?=\\w)', '\\1\\2' || chr(8203), 'g')"
    escaped = f"replace(replace(replace({joined}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    with_sql = f"""
    docs AS MATERIALIZED (
        SELECT a.id, COALESCE(NULLIF(a.business_name, ''), a.technical_name) AS name,
            a.technical_name, a.type AS asset_type, a.updated_at AS published_at,
            a.project_id, a.domain_id, NULL::boolean AS approval_required,
            {document_vector_sql(a_text, b_text, c_text, d_text)} AS search_vector,
            {name_vector_sql(names)} AS name_vector,
            {escaped} AS search_text,
            COALESCE(terms.ids, ARRAY[]::uuid[]) AS glossary_term_ids,
            '{{}}'::jsonb AS form_facets,
            jsonb_build_object(
                'glossary_terms', COALESCE(terms.refs, '[]'::jsonb),
                'database_name', a.database_name, 'schema_name', a.schema_name
            ) AS snapshot
        FROM {asset} a
        LEFT JOIN LATERAL (
            SELECT string_agg(concat_ws(' ', c.name, {split("c.name")}, c.business_name), ' ') AS b,
                   string_agg(concat_ws(' ', c.description, c.source_comment), ' ') AS d,
                   string_agg(CASE WHEN c.description <> '' OR c.business_name <> ''
                                   THEN concat_ws(': ', c.name, NULLIF(c.description, '')) END,
                              '; ' ORDER BY c.position) AS text
            FROM {column} c WHERE c.asset_id = a.id
        ) cols ON true
        LEFT JOIN LATERAL (
            SELECT array_agg(DISTINCT t.id) AS ids,
                   string_agg(concat_ws(' ', t.name, array_to_string(t.synonyms, ' '),
                       (SELECT string_agg(p.name, ' ') FROM {is_a} e
                        JOIN {term} p ON p.id = e.to_glossaryterm_id
                        WHERE e.from_glossaryterm_id = t.id)), ' ') AS words,
                   string_agg(concat_ws(' ', t.name, array_to_string(t.synonyms, ' ')), ' ')
                       FILTER (WHERE x.on_asset) AS names,
                   jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'glossary', g.name)
                             ORDER BY t.name) FILTER (WHERE x.on_asset) AS refs
            FROM (
                SELECT at.glossaryterm_id AS id, true AS on_asset FROM {asset_terms} at
                WHERE at.asset_id = a.id
                UNION ALL
                SELECT ct.glossaryterm_id, false FROM {column_terms} ct
                JOIN {column} c ON c.id = ct.assetcolumn_id WHERE c.asset_id = a.id
            ) x
            JOIN {term} t ON t.id = x.id JOIN {glossary} g ON g.id = t.glossary_id
        ) terms ON true
        WHERE a.project_id = %s AND a.archived_at IS NULL
    )"""
    return _Source("asset", "docs", "TRUE", with_sql, [str(project_id)])


# --- SQL --------------------------------------------------------------------------------


def _filters(request: SearchRequest) -> tuple[str, list]:
    parts, params = [], []
    for name, column, cast in (
        ("domain", "l.domain_id", "uuid[]"),
        ("project", "l.project_id", "uuid[]"),
        ("asset_type", "l.asset_type", "text[]"),
    ):
        values = getattr(request, name)
        if len(values) == 1:  # "=": an index on (domain, status, published_at) stays ordered
            parts.append(f"{column} = %s::{cast[:-2]}")
            params.append(values[0])
        elif values:
            parts.append(f"{column} = ANY(%s::{cast})")
            params.append(values)
    if request.glossary_term:
        parts.append("l.glossary_term_ids && %s::uuid[]")
        params.append(request.glossary_term)
    for key, values in sorted(request.forms.items()):
        parts.append("(" + " OR ".join(["l.form_facets @> %s::jsonb"] * len(values)) + ")")
        params.extend(json.dumps({key: value}) for value in values)
    return " AND ".join(parts), params


def _with(source: _Source, ctes: list[tuple[str, str]]) -> str:
    parts = ([source.with_sql] if source.with_sql else []) + [f"{n} AS {sql}" for n, sql in ctes]
    return "WITH " + ",\n".join(parts)


def _projection(source: _Source, snippet_sql: str) -> str:
    from projects.models import Domain, Project

    return f"""
    SELECT page.id::text, page.score, page.window_total, l.name, l.technical_name,
        l.asset_type, l.published_at, l.project_id::text, p.name, l.domain_id::text, d.name,
        l.snapshot->'glossary_terms', COALESCE(l.snapshot->>'database_name', ''),
        COALESCE(l.snapshot->>'schema_name', ''), l.approval_required, {snippet_sql}
    FROM page JOIN {source.relation} l ON l.id = page.id
    JOIN {Project._meta.db_table} p ON p.id = l.project_id
    JOIN {Domain._meta.db_table} d ON d.id = l.domain_id
    ORDER BY page.ord
    """


def _text_condition(prep: Prepared) -> tuple[str, list]:
    """What a result must match: whole words anywhere, or (typing) the last word as a
    prefix in names and terms — phrases and excluded words hold either way."""
    if not prep.has_prefix:
        return "l.search_vector @@ %s::tsquery", [prep.match]
    sql, params = (
        "(l.search_vector @@ %s::tsquery OR (l.name_vector @@ %s::tsquery",
        [
            prep.match,
            prep.any,
        ],
    )
    if prep.required:
        sql += " AND l.search_vector @@ %s::tsquery"
        params.append(prep.required)
    return sql + "))", params


# The count (up to COUNT_CAP + 1) and the facet sample are scans under a LIMIT; there the
# planner likes a sequential scan testing every row's vector, which reads the
# whole table when fewer match than the limit; without it, it picks between the GIN index
# (a bitmap: few or moderately many matches) and a walk in published order (very many),
# which is what we want. SET LOCAL lasts for the statement's implicit transaction
# (autocommit) — inside a transaction, until the results statement, which always follows,
# puts the planner back (work_mem stays raised until that transaction ends).
# Bitmaps of a common word at a million listings outgrow the default work_mem (4 MB) and
# turn lossy: every row of their pages is then read and tested again.
WORK_MEM = "SET LOCAL work_mem = '32MB';"
NO_SEQSCAN = f"SET LOCAL enable_seqscan = off; {WORK_MEM}\n"
PLANNER_DEFAULTS = f"SET LOCAL enable_seqscan TO DEFAULT; {WORK_MEM}\n"


def _results_sql(source, where, where_params, parsed, prep, request, sort):
    """(sql, params) of the page of results."""
    offset = (request.page - 1) * request.page_size
    relation = source.relation
    text_sql, text_params = _text_condition(prep) if prep else ("", [])
    if sort == "relevance":
        candidates, params = [], []
        if parsed.exact:
            candidates.append(
                f"(SELECT l.id FROM {relation} l WHERE {where} AND (lower(l.name) = ANY(%s) "
                f"OR lower(l.technical_name) = ANY(%s)) LIMIT {EXACT_CANDIDATES})"
            )
            params += [*where_params, parsed.exact, parsed.exact]
        paths = []
        if prep.any:
            paths.append(("l.name_vector", prep.any, NAME_CANDIDATES))
        if prep.count > 1 and prep.every != prep.match:
            paths.append(("l.search_vector", prep.every, EVERY_CANDIDATES))
        paths.append(("l.search_vector", prep.match, ANY_CANDIDATES))
        for vector, tsquery, limit in paths:
            candidates.append(
                f"(SELECT l.id FROM {relation} l WHERE {where} AND {vector} @@ %s::tsquery "
                f"ORDER BY l.published_at DESC LIMIT {limit})"
            )
            params += [*where_params, tsquery]
        n = max(prep.count, 1)
        # Exact name first; then listings matching every word and phrase; then by how
        # many words match anywhere, how many in names and terms, and ts_rank_cd
        # (weights D, C, B, A; divided by 1 + log(length), scaled into 0..1).
        score = f"""
            (CASE WHEN lower(l.name) = ANY(%s) OR lower(l.technical_name) = ANY(%s)
                  THEN 10 ELSE 0 END)
            + (CASE WHEN m.words = {n} THEN 2 ELSE 0 END)
            + m.words::float8 / {n} + 0.6 * m.names::float8 / {n}
            + COALESCE(ts_rank_cd('{RANK_WEIGHTS}', l.search_vector, %s::tsquery, 1 | 32), 0)
        """
        params += [parsed.exact, parsed.exact, prep.any or prep.match]
        ctes = [
            ("candidates", "(" + "\nUNION\n".join(candidates) + ")"),
            (
                "scored",
                f"""(SELECT l.id, l.published_at, {score} AS score
                FROM {relation} l, LATERAL (
                    SELECT count(*) FILTER (WHERE l.search_vector @@ e.q) AS words,
                           count(*) FILTER (WHERE l.name_vector @@ e.q) AS names
                    FROM unnest(%s::tsquery[]) AS e(q)
                ) m
                WHERE l.id = ANY(ARRAY(SELECT id FROM candidates)) AND {text_sql})""",
            ),
            (
                "page",
                """(SELECT id, score, count(*) OVER () AS window_total,
                       row_number() OVER (ORDER BY score DESC, published_at DESC, id) AS ord
                FROM scored ORDER BY score DESC, published_at DESC, id LIMIT %s OFFSET %s)""",
            ),
        ]
        params += [prep.each, *text_params, request.page_size, offset]
    else:
        order = "lower(l.name), l.id" if sort == "name" else "l.published_at DESC, l.id"
        text = f" AND {text_sql}" if prep else ""
        ctes = [
            (
                "page",
                f"""(SELECT l.id, NULL::float8 AS score, NULL::bigint AS window_total,
                       row_number() OVER (ORDER BY {order}) AS ord
                FROM {relation} l WHERE {where}{text}
                ORDER BY {order} LIMIT %s OFFSET %s)""",
            )
        ]
        params = [*where_params, *text_params, request.page_size, offset]
    if prep and prep.any:
        snippet = "ts_headline('english', l.search_text, %s::tsquery, %s)"
        snippet_params = [prep.any, HEADLINE_OPTIONS]
    else:
        snippet, snippet_params = f"left(l.search_text, {SNIPPET_CHARS})", []
    sql = _with(source, ctes) + _projection(source, snippet)
    if prep and source.kind == "listing":
        sql = PLANNER_DEFAULTS + sql
    return sql, [*source.with_params, *params, *snippet_params]


def _facets_sql(source, where, where_params, prep) -> tuple[str, list]:
    """The count (up to COUNT_CAP + 1) and the facets of the newest FACET_SAMPLE matches
    (a walk in published order when many match, the GIN index when few), with their
    labels, in one statement."""
    from glossary.models import GlossaryTerm
    from projects.models import Domain, Project

    text_sql, text_params = _text_condition(prep) if prep else ("", [])
    text = f" AND {text_sql}" if prep else ""
    sample = f"""(SELECT l.domain_id, l.project_id, l.asset_type, l.glossary_term_ids,
            l.form_facets
        FROM {source.relation} l WHERE {where}{text}
        ORDER BY l.published_at DESC LIMIT {FACET_SAMPLE})"""
    # Counted without reading a single row: a bitmap scan that returns no column skips
    # the table for all-visible pages.
    total = f"""(SELECT count(*) FROM (SELECT FROM {source.relation} l WHERE {where}{text}
        LIMIT {COUNT_CAP + 1}) AS c)"""
    counted = f"""(
        SELECT 'domain' AS facet, '' AS field, c.id::text AS value, d.name AS label, c.n
        FROM (SELECT domain_id AS id, count(*) AS n FROM sample GROUP BY 1) c
        JOIN {Domain._meta.db_table} d ON d.id = c.id
        UNION ALL
        SELECT 'project', '', c.id::text, p.name, c.n
        FROM (SELECT project_id AS id, count(*) AS n FROM sample GROUP BY 1) c
        JOIN {Project._meta.db_table} p ON p.id = c.id
        UNION ALL
        SELECT 'asset_type', '', asset_type, asset_type, count(*) FROM sample
        WHERE asset_type <> '' GROUP BY asset_type
        UNION ALL
        SELECT 'glossary_term', '', c.id::text, t.name, c.n
        FROM (SELECT x.id, count(*) AS n
              FROM (SELECT unnest(glossary_term_ids) AS id FROM sample) x GROUP BY 1) c
        JOIN {GlossaryTerm._meta.db_table} t ON t.id = c.id
        UNION ALL
        SELECT 'form', (x.kv).key, (x.kv).value, (x.kv).value, count(*)
        FROM (SELECT jsonb_each_text(form_facets) AS kv FROM sample) x
        GROUP BY (x.kv).key, (x.kv).value
    )"""
    ranked = """(SELECT *, row_number() OVER (PARTITION BY facet, field ORDER BY n DESC, label)
        AS r FROM counted)"""
    sql = (
        _with(
            source,
            [("sample", "MATERIALIZED " + sample), ("counted", counted), ("ranked", ranked)],
        )
        + f"""
    SELECT 'count', '', '', '', {total}
    UNION ALL
    SELECT 'sample', '', '', '', (SELECT count(*) FROM sample)
    UNION ALL
    SELECT facet, field, value, label, n FROM ranked WHERE r <= {FACET_VALUES}
    """
    )
    if prep and source.kind == "listing":
        sql = NO_SEQSCAN + sql
    params = [*where_params, *text_params]
    return sql, [*source.with_params, *params, *params]


# --- Entry points -----------------------------------------------------------------------


def search_listings(*, user, request: SearchRequest) -> SearchResults:
    """Search the catalog: ACTIVE listings only, the same for every signed-in user."""
    if not user.is_authenticated:
        raise ValidationError("Sign in to search the catalog.")
    return _search(_listing_source(), request)


def search_inventory(*, user, project_id, request: SearchRequest) -> SearchResults:
    """Search a project's inventory (its own, possibly unpublished assets) with the same
    ranking; for the people who may see the project (404 for anyone else)."""
    from django.shortcuts import get_object_or_404

    from projects.selectors import visible_projects

    project = get_object_or_404(visible_projects(user=user), pk=project_id)
    return _search(_inventory_source(project.pk), request)


def _search(source: _Source, request: SearchRequest) -> SearchResults:
    parsed = parse_query(request.q)
    notes = list(parsed.notes)
    prep: Prepared | None = None
    if parsed.tokens:
        prep = prepare(parsed)
        if prep.ignored:
            notes.append("Left out common words: " + ", ".join(prep.ignored) + ".")
    sort = request.sort or ("relevance" if parsed.tokens else "published")
    if parsed.had_text and (prep is None or not prep.searchable):
        notes.append("Nothing in the search could be looked up; type a word to search for.")
        return SearchResults(request, parsed, [], 0, False, {}, sort, False, notes)
    if prep is None and sort == "relevance":
        sort = "published"  # nothing to rank by
    filter_sql, filter_params = _filters(request)
    where = source.base + (f" AND {filter_sql}" if filter_sql else "")

    facets_sql, facets_params = _facets_sql(source, where, filter_params, prep)
    results_sql, results_params = _results_sql(
        source, where, filter_params, parsed, prep, request, sort
    )
    with connection.cursor() as cursor:
        cursor.execute(facets_sql, facets_params)  # first: the results put planning back
        facet_rows = cursor.fetchall()
        cursor.execute(results_sql, results_params)
        rows = cursor.fetchall()

    hits = [
        Hit(
            id=row[0],
            kind=source.kind,
            name=row[3],
            technical_name=row[4],
            asset_type=row[5],
            published_at=row[6],
            project={"id": row[7], "name": row[8]},
            domain={"id": row[9], "name": row[10]},
            glossary_terms=_json(row[11]) or [],
            database_name=row[12],
            schema_name=row[13],
            approval_required=row[14],
            snippet=escape_snippet(row[15]),
            score=row[1],
        )
        for row in rows
    ]
    count, facets, facets_estimated = _facets(facet_rows, request)
    shown_until = (request.page - 1) * request.page_size + len(hits)
    window = rows[0][2] if rows and rows[0][2] is not None else None
    if sort == "relevance":
        has_next = window is not None and shown_until < window
        if window is not None and window < count:
            notes.append(
                f"Showing the {window:,} best matches; sort by name or date to page through all."
            )
    else:
        has_next = shown_until < min(count, MAX_RESULTS) and len(hits) == request.page_size
    return SearchResults(
        request=request,
        parsed=parsed,
        hits=hits,
        count=min(count, COUNT_CAP),
        count_is_estimate=count > COUNT_CAP,
        facets=facets,
        sort=sort,
        has_next=has_next,
        notes=notes,
        ranked_window=window,
        facets_are_estimates=facets_estimated,
    )


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _facets(rows, request: SearchRequest) -> tuple[int, dict, bool]:
    """(count up to COUNT_CAP + 1, facets, whether facet counts are estimates).

    Facets are counted over the first FACET_SAMPLE matches; when more match, each count
    is scaled to the (capped) total and flagged as an estimate."""
    count, sampled, facets = 0, 0, {name: [] for name in FACETS}
    selected = {name: set(getattr(request, name)) for name in FACETS}
    values = []
    for facet, key, value, label, n in rows:
        if facet == "count":
            count = int(n)
        elif facet == "sample":
            sampled = int(n)
        else:
            values.append((facet, key, value, label, int(n)))
    estimated = count > sampled
    scale = min(count, COUNT_CAP) / sampled if estimated and sampled else 1
    for facet, key, value, label, n in values:
        if facet == "form":
            name, chosen = f"form.{key}", set(request.forms.get(key, ()))
        else:
            name, chosen = facet, selected[facet]
        if facet == "asset_type":
            try:
                label = AssetType(value).label
            except ValueError:
                pass
        shown = min(round(n * scale), COUNT_CAP) if estimated else n
        facets.setdefault(name, []).append(FacetValue(value, label, shown, value in chosen))
    for facet_values in facets.values():
        facet_values.sort(key=lambda v: (-v.count, v.label.lower()))
    return count, facets, estimated
