"""``GET /api/v1/search/``: ranked catalog search with facets (catalog/search/).

Thin like every API view: parse the parameters (``SearchRequest.from_query``, which the
search page shares), run the search, shape the answer. The serializers in
catalog/api/serializers/search.py describe the answer for the OpenAPI schema.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from catalog.choices import AssetType
from catalog.search import PAGE_SIZE, SORTS, SearchRequest, search_inventory, search_listings
from catalog.search.documents import ZERO_WIDTH_SPACE
from catalog.search.engine import plain_snippet
from meshportal.api.serializers import DetailSerializer

from ..serializers.search import SearchResponseSerializer


def _uuids(name, description):
    return OpenApiParameter(name, OpenApiTypes.UUID, many=True, description=description)


class SearchView(APIView):
    """Search the published catalog: the same for every signed-in user (ACTIVE listings
    only), or with ``inventory`` a project's own assets for those who may see it."""

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter(
                "q",
                str,
                description='Words (all should match, most is ranked lower), "quoted '
                'phrases", -excluded words; the last word matches as a prefix unless a '
                "space follows it. At most 512 characters are read. Empty: everything, "
                "newest first.",
            ),
            _uuids("domain", "Only these domains (repeat for either)."),
            _uuids("project", "Only listings owned by these projects."),
            OpenApiParameter(
                "asset_type", str, many=True, enum=AssetType.values, description="Table types."
            ),
            _uuids("glossary_term", "Only listings carrying one of these terms."),
            OpenApiParameter(
                "form.{key}",
                str,
                description="A searchable form field's value; the key is the facet's name "
                "after ``form.`` (``form.Data product / Refresh=Daily``).",
            ),
            OpenApiParameter(
                "sort",
                str,
                enum=list(SORTS),
                description="Default: relevance with words, published without.",
            ),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="1–100, default 20."),
            OpenApiParameter(
                "inventory",
                OpenApiTypes.UUID,
                description="Search this project's inventory (its assets, published or "
                "not) instead, with the same ranking; 404 unless you may see the project.",
            ),
        ],
        responses={200: SearchResponseSerializer, 400: OpenApiTypes.OBJECT, 404: DetailSerializer},
    )
    def get(self, request):
        search = SearchRequest.from_query(request.query_params, default_page_size=PAGE_SIZE)
        inventory = request.query_params.get("inventory")
        if inventory:
            results = search_inventory(user=request.user, project_id=inventory, request=search)
        else:
            results = search_listings(user=request.user, request=search)
        return Response(_body(request, results))


def _body(request, results) -> dict:
    url = request.build_absolute_uri()
    page = results.request.page
    previous = None
    if results.has_previous:
        previous = (
            remove_query_param(url, "page")
            if page == 2
            else replace_query_param(url, "page", page - 1)
        )
    return {
        "count": results.count,
        "count_is_estimate": results.count_is_estimate,
        "results": [
            {
                "id": hit.id,
                "kind": hit.kind,
                "name": hit.name,
                "technical_name": hit.technical_name,
                "project": hit.project,
                "domain": hit.domain,
                "asset_type": hit.asset_type,
                **_snippet(hit),
                "glossary_terms": hit.glossary_terms,
                "published_at": hit.published_at.isoformat() if hit.published_at else None,
                "url": request.build_absolute_uri(hit.url),
                "score": float(hit.score) if hit.score is not None else None,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in values
            ]
            for name, values in results.facets.items()
        },
        "facets_are_estimates": results.facets_are_estimates,
        "next": replace_query_param(url, "page", page + 1) if results.has_next else None,
        "previous": previous,
        "sort": results.sort,
        "notes": results.notes,
    }


def _snippet(hit) -> dict:
    text, matches = plain_snippet(hit.snippet_raw)
    return {
        "snippet": text,
        "snippet_matches": matches,
        "snippet_html": str(hit.snippet).replace(ZERO_WIDTH_SPACE, ""),
    }
