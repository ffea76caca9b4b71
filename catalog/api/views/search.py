"""``GET /api/v1/search/``: ranked catalog search with facets (catalog/search/).

Thin like every API view: parse the parameters (``SearchRequest.from_query``, which the
search page shares), run the search, answer through the serializer that documents the
answer (catalog/api/serializers/search.py).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.choices import AssetType
from catalog.search import PAGE_SIZE, SORTS, SearchRequest, search_inventory, search_listings
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
        return Response(SearchResponseSerializer(results, context={"request": request}).data)
