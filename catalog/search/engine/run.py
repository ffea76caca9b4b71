"""The entry points: run a search over listings or over a project's inventory."""

# SQL here is assembled from constants and model table names only; every value that
# comes from a person (words, ids, filters) is a query parameter.
# ruff: noqa: S608

import json
from collections import namedtuple
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection

from ...choices import AssetType
from ..query import ParsedQuery, Prepared, parse_query, prepare
from .request import COUNT_CAP, FACETS, MAX_RESULTS, SearchRequest
from .results import FacetValue, Hit, SearchResults, escape_snippet
from .sql import _facets_sql, _filters, _inventory_source, _listing_source, _results_sql, _Source


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


@dataclass
class _Plan:
    """What a query asks once it is read: its words, the tsqueries, the sort, the notes
    for the person (common words left out, a sort that had nothing to rank by)."""

    parsed: ParsedQuery
    prep: Prepared | None
    sort: str
    notes: list
    searchable: bool  # False: text was typed but nothing in it can be looked up


def _search(source: _Source, request: SearchRequest) -> SearchResults:
    plan = _plan(request)
    if not plan.searchable:
        return SearchResults(request, plan.parsed, [], 0, False, {}, plan.sort, False, plan.notes)
    facet_rows, result_rows = _fetch(source, request, plan)
    hits = [_hit(row, source.kind) for row in result_rows]
    count, facets, facets_estimated = _facets(facet_rows, request)
    window = result_rows[0].window_total if result_rows else None
    if plan.sort == "relevance" and window is not None and window < count:
        plan.notes.append(
            f"Showing the {window:,} best matches; sort by name or date to page through all."
        )
    return SearchResults(
        request=request,
        parsed=plan.parsed,
        hits=hits,
        count=min(count, COUNT_CAP),
        count_is_estimate=count > COUNT_CAP,
        facets=facets,
        sort=plan.sort,
        has_next=_has_next(plan.sort, request, len(hits), count, window),
        notes=plan.notes,
        ranked_window=window,
        facets_are_estimates=facets_estimated,
    )


def _plan(request: SearchRequest) -> _Plan:
    """Read the query: the tsqueries when there are words, and the sort to use."""
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
        return _Plan(parsed, prep, sort, notes, searchable=False)
    if prep is None and sort == "relevance":
        sort = "published"  # nothing to rank by
    return _Plan(parsed, prep, sort, notes, searchable=True)


def _fetch(source: _Source, request: SearchRequest, plan: _Plan) -> tuple[list, list]:
    """(facet rows, result rows), each row a namedtuple named by the statement's columns."""
    filter_sql, filter_params = _filters(request)
    where = source.base + (f" AND {filter_sql}" if filter_sql else "")
    facets_sql, facets_params = _facets_sql(source, where, filter_params, plan.prep)
    results_sql, results_params = _results_sql(
        source, where, filter_params, plan.parsed, plan.prep, request, plan.sort
    )
    with connection.cursor() as cursor:
        cursor.execute(facets_sql, facets_params)  # first: the results put planning back
        facet_rows = _named_rows(cursor)
        cursor.execute(results_sql, results_params)
        result_rows = _named_rows(cursor)
    return facet_rows, result_rows


def _named_rows(cursor) -> list:
    Row = namedtuple("Row", [column.name for column in cursor.description])
    return [Row(*values) for values in cursor.fetchall()]


def _hit(row, kind: str) -> Hit:
    return Hit(
        id=row.id,
        kind=kind,
        name=row.name,
        technical_name=row.technical_name,
        asset_type=row.asset_type,
        published_at=row.published_at,
        project={"id": row.project_id, "name": row.project_name},
        domain={"id": row.domain_id, "name": row.domain_name},
        glossary_terms=_json(row.glossary_terms) or [],
        database_name=row.database_name,
        schema_name=row.schema_name,
        approval_required=row.approval_required,
        snippet=escape_snippet(row.snippet),
        snippet_raw=row.snippet or "",
        score=row.score,
    )


def _has_next(sort: str, request: SearchRequest, shown: int, count: int, window) -> bool:
    """Whether a next page exists: relevance pages through its bounded candidate window,
    the index-ordered sorts through every match (up to MAX_RESULTS)."""
    shown_until = (request.page - 1) * request.page_size + shown
    if sort == "relevance":
        return window is not None and shown_until < window
    return shown_until < min(count, MAX_RESULTS) and shown == request.page_size


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _facets(rows, request: SearchRequest) -> tuple[int, dict, bool]:
    """(count up to COUNT_CAP + 1, facets, whether facet counts are estimates).

    Facets are counted over the first FACET_SAMPLE matches; when more match, each count
    is scaled to the (capped) total and flagged as an estimate."""
    count, sampled, facets = 0, 0, {name: [] for name in FACETS}
    selected = {name: set(getattr(request, name)) for name in FACETS}
    values = []
    for row in rows:
        if row.facet == "count":
            count = int(row.n)
        elif row.facet == "sample":
            sampled = int(row.n)
        else:
            values.append((row.facet, row.field, row.value, row.label, int(row.n)))
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
