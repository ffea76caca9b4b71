"""API views of the catalog app, one module per seam: data sources and runs (``sources``),
inventory assets with their revisions and suggestions (``assets``), listings
(``listings``), search (``search``).

Thin on purpose, like the projects API: validate with an input serializer, call a service
(writes) or a selector (reads, already narrowed to what the user may see), serialize.
Services raise ValidationError / PermissionDenied / Conflict; the API's exception handler
turns them into 400 / 403 / 409. An object the user may not see is a 404. The base
viewset and the error tables are meshportal/api/viewsets.py.
"""

from .assets import (  # noqa: F401
    AssetChildViewSet,
    AssetRevisionViewSet,
    AssetViewSet,
    SuggestionStatusSerializer,
    SuggestionViewSet,
    editable_forms,
)
from .listings import ListingViewSet  # noqa: F401
from .search import SearchView  # noqa: F401
from .sources import (  # noqa: F401
    DataSourceRunViewSet,
    DataSourceViewSet,
    RunActivityFilterSet,
    RunActivityViewSet,
)
