"""The entry points: run a search over listings or over a project's inventory."""

# SQL here is assembled from constants and model table names only; every value that
# comes from a person (words, ids, filters) is a query parameter.
# ruff: noqa: S608

import json

from django.core.exceptions import ValidationError
from django.db import connection

from ...choices import AssetType
from ..query import Prepared, parse_query, prepare
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
            snippet_raw=row[15] or "",
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
