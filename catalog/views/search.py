"""The search page (``/search/?q=…``): results with facets in a sidebar.

The nav bar's search box on every page submits here. Parameters are those of
``GET /api/v1/search/`` (parsed by the same ``SearchRequest.from_query``); facet values
are links that add or remove one filter; odd input gets a message, never an error page.
``?inventory=<project id>`` searches that project's inventory instead.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ..search import PAGE_SIZE, SORTS, SearchRequest, search_inventory, search_listings
from ..search.engine import FACET_SAMPLE

FACET_TITLES = {
    "domain": "Domain",
    "project": "Project",
    "asset_type": "Type",
    "glossary_term": "Glossary term",
}
# What the page passes on from one search to the next (links keep the filters).
KEPT = ("q", "sort", "inventory", "page_size")


def _params(query, *, drop=(), add=()) -> list[tuple[str, str]]:
    """The current query parameters minus ``drop`` (name, value) pairs, plus ``add``;
    without ``page`` (a new filter starts at page one)."""
    pairs = [
        (key, value)
        for key in query
        if key != "page" and (key in KEPT or key in FACET_TITLES or key.startswith("form."))
        for value in query.getlist(key)
        if value != "" and (key, value) not in drop
    ]
    return pairs + [pair for pair in add if pair not in pairs]


def _href(pairs) -> str:
    return "?" + urlencode(pairs) if pairs else "?"


def _facet_groups(results, query) -> list[dict]:
    groups = []
    names = [*FACET_TITLES, *sorted(k for k in results.facets if k.startswith("form."))]
    for name in names:
        values = results.facets.get(name) or []
        if not values:
            continue
        groups.append(
            {
                "name": name,
                "title": FACET_TITLES.get(name) or name.removeprefix("form."),
                "values": [
                    {
                        "label": value.label,
                        "count": value.count,
                        "selected": value.selected,
                        "href": _href(
                            _params(query, drop=[(name, value.value)])
                            if value.selected
                            else _params(query, add=[(name, value.value)])
                        ),
                    }
                    for value in values
                ],
            }
        )
    return groups


def _new_query_resets_sort(query):
    """A new query sorts by relevance unless the person picked a sort for it.

    The page's form carries the query and sort its results were shown with
    (``shown_q``, ``shown_sort``): a changed query with the sort left as it was drops
    the sort, so the engine's default applies (relevance for words). Picking another
    sort in the same submission keeps it."""
    if "shown_q" not in query:
        return query
    query = query.copy()
    shown_q, shown_sort = query.pop("shown_q")[-1], query.pop("shown_sort", [""])[-1]
    if query.get("q", "").strip() != shown_q.strip() and query.get("sort", "") == shown_sort:
        query.pop("sort", None)
    return query


@require_safe
def search(request):
    query = _new_query_resets_sort(request.GET)
    context = {
        "q": query.get("q", ""),
        "sorts": SORTS,
        "inventory": query.get("inventory", ""),
        "errors": [],
        "results": None,
        "facet_sample": FACET_SAMPLE,
    }
    try:
        search_request = SearchRequest.from_query(query, default_page_size=PAGE_SIZE)
    except ValidationError as error:
        context["errors"] = [m for messages in error.message_dict.values() for m in messages]
        return render(request, "catalog/search.html", context, status=400)
    if context["inventory"]:
        try:
            results = search_inventory(
                user=request.user, project_id=context["inventory"], request=search_request
            )
        except ValidationError:  # not a UUID: nothing by that id
            from django.http import Http404

            raise Http404("No such project.") from None
    else:
        results = search_listings(user=request.user, request=search_request)
    page = search_request.page
    selected = [
        {
            "title": FACET_TITLES.get(name) or name.removeprefix("form."),
            "label": next(
                (v.label for v in results.facets.get(name, []) if v.value == value), value
            ),
            "href": _href(_params(query, drop=[(name, value)])),
        }
        for name, value in search_request.filter_params()
    ]
    context.update(
        results=results,
        sort=results.sort,
        facet_groups=_facet_groups(results, query),
        selected=selected,
        clear_filters=_href([(k, v) for k, v in _params(query) if k in KEPT]),
        hidden=[(k, v) for k, v in _params(query) if k not in ("q", "sort")],
        previous_href=_href(_params(query) + [("page", str(page - 1))])
        if results.has_previous
        else None,
        next_href=_href(_params(query) + [("page", str(page + 1))]) if results.has_next else None,
        first=(page - 1) * search_request.page_size + 1,
        last=(page - 1) * search_request.page_size + len(results.hits),
    )
    return render(request, "catalog/search.html", context)
