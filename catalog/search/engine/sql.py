"""Where a search looks (published listings or one project's inventory) and the SQL of
its count, facets and page of results.
"""

# SQL here is assembled from constants and model table names only; every value that
# comes from a person (words, ids, filters) is a query parameter.
# ruff: noqa: S608

import json
from dataclasses import dataclass, field

from ...models import Asset, AssetColumn, Listing
from ..documents import document_vector_sql, name_vector_sql
from ..query import Prepared
from .request import (
    ANY_CANDIDATES,
    COUNT_CAP,
    EVERY_CANDIDATES,
    EXACT_CANDIDATES,
    FACET_SAMPLE,
    FACET_VALUES,
    HEADLINE_OPTIONS,
    NAME_CANDIDATES,
    RANK_WEIGHTS,
    SNIPPET_CHARS,
    SearchRequest,
)


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
    SELECT page.id::text AS id, page.score AS score, page.window_total AS window_total,
        l.name AS name, l.technical_name AS technical_name, l.asset_type AS asset_type,
        l.published_at AS published_at, l.project_id::text AS project_id,
        p.name AS project_name, l.domain_id::text AS domain_id, d.name AS domain_name,
        l.snapshot->'glossary_terms' AS glossary_terms,
        COALESCE(l.snapshot->>'database_name', '') AS database_name,
        COALESCE(l.snapshot->>'schema_name', '') AS schema_name,
        l.approval_required AS approval_required, {snippet_sql} AS snippet
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
    SELECT 'count' AS facet, '' AS field, '' AS value, '' AS label, {total} AS n
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
