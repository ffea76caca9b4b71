"""Serializers of the catalog API, one module per seam (``sources``, ``assets``,
``listings``, ``search``).

Output serializers turn rows (as the selectors return them, annotations included) into
JSON; input serializers only check the shape of a request. Neither writes: the views pass
validated data to the services, which decide and save.

drf-spectacular names an enum after its field (``type``, ``status``). Several catalog
models have a ``type`` or a ``status`` with different choices, so each choice set must
appear in one schema component only, or the schema warns about a naming collision.
Hence the input serializers of a data source share the output's component name (they
become ``DataSourceRequest`` and ``PatchedDataSourceRequest``), and summaries repeat an
enum as a plain string (as ``ProjectSerializer.my_designation`` does).
"""

from .assets import (  # noqa: F401
    ASSET_TYPE_HELP,
    AssetColumnSerializer,
    AssetDetailSerializer,
    AssetFormSerializer,
    AssetRevisionDetailSerializer,
    AssetRevisionSerializer,
    AssetSerializer,
    AssetUpdateSerializer,
    AttachedTermSerializer,
    ColumnUpdateSerializer,
    EditableFormFieldSerializer,
    FormFieldValueSerializer,
    FormTypeRefSerializer,
    FormTypeRevisionSerializer,
    FormValuesSerializer,
    ListingStatusField,
    ListingSummarySerializer,
    SuggestionsAcceptedSerializer,
    SuggestionSerializer,
    SuggestionsRejectedSerializer,
)
from .listings import (  # noqa: F401
    ListingDetailSerializer,
    ListingSerializer,
    PublishRefusedSerializer,
    PublishSerializer,
)
from .search import FacetValueSerializer, SearchHitSerializer, SearchResponseSerializer  # noqa: F401
from .sources import (  # noqa: F401
    DataSourceCreateSerializer,
    DataSourceRunSerializer,
    DataSourceSerializer,
    DataSourceUpdateSerializer,
    FilterExpressionSerializer,
    FilterExpressionsField,
    RunActivitySerializer,
    RunConflictSerializer,
    RunSummarySerializer,
    VisibleEnvironmentField,
)
