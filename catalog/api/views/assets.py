"""API views of inventory assets: editing, forms, publishing, revisions, suggestions."""

from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.choices import SuggestionStatus
from catalog.filters import AssetFilterSet
from catalog.models import (
    Asset,
    AssetRevision,
    Listing,
    Suggestion,
)
from glossary.queries import light_terms
from meshportal.api.serializers import DetailSerializer
from meshportal.api.viewsets import (
    DECISION_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    PortalReadViewSet,
    PortalViewSet,
    validated,
)

from ...selectors import editable_forms
from .. import serializers as s


def _terms():
    return light_terms().order_by("name")


_FORMS_EXAMPLE = OpenApiExample(
    "Fill one form, remove another",
    value={
        "Data owner": {"Owner email": "film-team@streaming.example", "last_audit": "2025-01-31"},
        "Retention": None,
    },
    request_only=True,
)


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.AssetDetailSerializer, 404: DetailSerializer}),
    partial_update=extend_schema(
        request=s.AssetUpdateSerializer,
        responses={200: s.AssetDetailSerializer, **WRITE_ERRORS},
        description="Change the business name, the Markdown description and the glossary "
        "terms (CONTRIBUTOR or OWNER). One revision records what changed; nothing changed "
        'writes none. Errors name the field: ``{"glossary_terms": ["Term \'X\' is disabled '
        '…"]}``.',
    ),
)
class AssetViewSet(PortalReadViewSet):
    """The inventory: assets of the projects the user sees (members, and stewards of the
    domain). Archived assets are listed too; ``?archived=false`` leaves them out.
    CONTRIBUTORs and OWNERs of the project edit the business metadata and publish."""

    serializer_class = s.AssetSerializer
    filterset_class = AssetFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]
    schema_model = Asset
    list_selector = staticmethod(selectors.asset_list)

    def get_serializer_class(self):
        return s.AssetDetailSerializer if self.action == "retrieve" else s.AssetSerializer

    def get_object(self) -> Asset:
        # Not filtered by the list's query parameters: an id names one asset.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _detail(self, pk) -> Response:
        """The asset with its columns, terms, forms and listing, in a constant number of
        queries whatever the number of columns."""
        asset = selectors.asset_get(user=self.request.user, pk=pk)
        asset.proposed_suggestion_count = selectors.suggestion_list(asset=asset).count()
        prefetch_related_objects(
            [asset],
            Prefetch("glossary_terms", queryset=_terms()),
            Prefetch("columns__glossary_terms", queryset=_terms()),
        )
        asset.forms_data = editable_forms(asset)
        asset.published_listing = selectors.listing_for_asset(asset=asset)
        return Response(s.AssetDetailSerializer(asset).data)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(kwargs["pk"])

    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        data = validated(s.AssetUpdateSerializer, request, partial=True)
        services.asset_update(acting_user=request.user, asset=asset, **data)
        return self._detail(asset.pk)

    @extend_schema(
        request=s.ColumnUpdateSerializer(many=True),
        responses={200: s.AssetDetailSerializer, **WRITE_ERRORS},
        description="Change business names, descriptions and glossary terms of columns, "
        "named by their technical ``name`` (CONTRIBUTOR or OWNER), in one revision. The body "
        'is the list (``{"columns": [...]}`` is accepted too); fields left out stay. '
        'Errors are keyed by column: ``{"columns": {"name": {"business_name": [...]}}}``, '
        "and nothing is saved then.",
    )
    @action(detail=True, methods=["patch"], url_path="columns", url_name="columns")
    def update_columns(self, request, *args, **kwargs):
        asset = self.get_object()
        items = request.data
        if isinstance(items, dict) and "columns" in items:
            items = items["columns"]
        if not isinstance(items, list):
            raise exceptions.ValidationError(
                {"columns": ["Give a list of {name, business_name, description, glossary_terms}."]}
            )
        columns, errors = [], {}
        for number, item in enumerate(items, start=1):
            serializer = s.ColumnUpdateSerializer(data=item)
            if serializer.is_valid():
                columns.append(dict(serializer.validated_data))
            else:
                name = item.get("name") if isinstance(item, dict) else None
                errors[str(name) if name else f"#{number}"] = serializer.errors
        if errors:
            raise exceptions.ValidationError({"columns": errors})
        services.asset_columns_update(acting_user=request.user, asset=asset, columns=columns)
        return self._detail(asset.pk)

    @extend_schema(
        responses={200: s.AssetFormSerializer(many=True), 404: DetailSerializer},
        description="The asset's metadata forms with their fields (label, type, help text, "
        "the glossary of term fields), values as stored and as read (``display``). A value "
        'whose field was removed from the form since stays, labelled "(from form revision '
        'N)"; ``is_current`` is false while the values date from an older revision.',
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="forms",
        url_name="forms",
        filter_backends=[],
        pagination_class=None,
    )
    def forms(self, request, *args, **kwargs):
        asset = self.get_object()
        serializer = s.AssetFormSerializer(editable_forms(asset), many=True)
        return Response(serializer.data)

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        examples=[_FORMS_EXAMPLE],
        responses={200: s.AssetFormSerializer(many=True), **WRITE_ERRORS},
        description="Fill or change forms of the domain (CONTRIBUTOR or OWNER): an object "
        "of form type id or name → ``{field name or label: value}``, which replaces that "
        "form's values (a required field may stay empty until publishing), or ``null`` to "
        "remove the form. Values are checked against the fields' types; errors are keyed "
        'by form and field label, e.g. ``{"forms": {"Data owner": {"Last audit date": '
        '["Enter a valid date."]}}}``, and nothing is saved then. One revision records '
        "what changed.",
    )
    @forms.mapping.patch
    def update_forms(self, request, *args, **kwargs):
        asset = self.get_object()
        services.asset_forms_update(acting_user=request.user, asset=asset, forms=request.data)
        serializer = s.AssetFormSerializer(editable_forms(asset), many=True)
        return Response(serializer.data)

    @extend_schema(
        request=s.PublishSerializer,
        responses={
            200: s.ListingDetailSerializer,
            201: s.ListingDetailSerializer,
            400: s.PublishRefusedSerializer,
            403: DetailSerializer,
            404: DetailSerializer,
        },
        description="Publish the asset's current revision as its ACTIVE listing "
        "(CONTRIBUTOR or OWNER): 201 the first time, 200 when it replaces the listing's "
        "snapshot. When the domain's publishing rule or a form's required fields are not "
        "satisfied the answer is 400 with ``missing`` (each item in words) and nothing is "
        "published.",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        asset = self.get_object()
        data = validated(s.PublishSerializer, request)
        existed = Listing.objects.filter(asset=asset).exists()
        listing = services.asset_publish(
            acting_user=request.user, asset=asset, approval_required=data["approval_required"]
        )
        fresh = selectors.listing_get(user=request.user, pk=listing.pk)
        return Response(
            s.ListingDetailSerializer(fresh).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={
            200: s.ListingDetailSerializer,
            403: DetailSerializer,
            404: DetailSerializer,
            409: DetailSerializer,
        },
        description="Take the asset's listing out of the catalog (INACTIVE; CONTRIBUTOR or "
        "OWNER). Members of the project still read it; 409 when it is not published.",
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request, *args, **kwargs):
        asset = self.get_object()
        listing = services.asset_unpublish(acting_user=request.user, asset=asset)
        fresh = selectors.listing_get(user=request.user, pk=listing.pk)
        return Response(s.ListingDetailSerializer(fresh).data)


_ASSET_PK = OpenApiParameter(
    "asset_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The asset's id."
)


class AssetChildViewSet(PortalViewSet):
    """Base of ``/assets/{asset_pk}/…``: the asset must be visible, or it is a 404."""

    def get_asset(self) -> Asset:
        if not hasattr(self, "_asset"):
            self._asset = get_object_or_404(
                selectors.asset_list(user=self.request.user), pk=self.kwargs["asset_pk"]
            )
        return self._asset


@extend_schema_view(
    list=extend_schema(
        parameters=[_ASSET_PK],
        responses={200: s.AssetRevisionSerializer(many=True), **READ_ERRORS},
        description="The asset's revisions, newest first, with what changed (no snapshots).",
    ),
    retrieve=extend_schema(
        parameters=[
            _ASSET_PK,
            OpenApiParameter(
                "revision", OpenApiTypes.INT, OpenApiParameter.PATH, description="1, 2, …"
            ),
        ],
        responses={200: s.AssetRevisionDetailSerializer, **READ_ERRORS},
        description="One revision with the full snapshot of the asset as it was.",
    ),
)
class AssetRevisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AssetChildViewSet):
    serializer_class = s.AssetRevisionSerializer
    lookup_field = "revision"
    lookup_value_regex = r"[0-9]+"
    schema_model = AssetRevision

    def visible_queryset(self):
        return selectors.revision_list(asset=self.get_asset())

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.AssetRevisionDetailSerializer
        return s.AssetRevisionSerializer

    def list(self, request, *args, **kwargs):
        # The snapshots stay in the database until one revision is asked for.
        revisions = self.get_queryset().defer("snapshot")
        page = self.paginate_queryset(revisions)
        return self.get_paginated_response(s.AssetRevisionSerializer(page, many=True).data)


class SuggestionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SuggestionStatus.choices, required=False, default=SuggestionStatus.PROPOSED
    )


_SUGGESTION_PK = OpenApiParameter(
    "id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The prediction's (suggestion's) id.",
)


def _decision(answer, description: str, *, one: bool = False):
    """The schema of a decision on suggestions: a POST without a body, on one suggestion
    (``one``) or all of the asset's, answered by ``answer``."""
    return extend_schema(
        parameters=[_ASSET_PK, _SUGGESTION_PK] if one else [_ASSET_PK],
        request=None,
        responses={200: answer, **DECISION_ERRORS},
        description=description,
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _ASSET_PK,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=SuggestionStatus.values,
                description="Which suggestions (PROPOSED when not given).",
            ),
        ],
        responses={200: s.SuggestionSerializer(many=True), **READ_ERRORS},
        description="Suggestions for the asset: its own business name first, then its "
        "columns in order.",
    ),
    accept=_decision(
        s.SuggestionSerializer,
        "Accept one suggestion (CONTRIBUTOR or OWNER): the business name is set "
        "and a revision written. 409 when it was already decided.",
        one=True,
    ),
    reject=_decision(
        s.SuggestionSerializer,
        "Reject one suggestion (CONTRIBUTOR or OWNER); 409 when already decided.",
        one=True,
    ),
    accept_all=_decision(
        s.SuggestionsAcceptedSerializer,
        "Accept every PROPOSED business name of the asset in one revision.",
    ),
    reject_all=_decision(
        s.SuggestionsRejectedSerializer, "Reject every PROPOSED suggestion of the asset."
    ),
)
class SuggestionViewSet(mixins.ListModelMixin, AssetChildViewSet):
    """``/assets/{asset_pk}/predictions/``: suggestions (business names, glossary terms) to
    accept or reject; the API calls them predictions."""

    serializer_class = s.SuggestionSerializer
    schema_model = Suggestion

    def visible_queryset(self):
        return selectors.suggestion_list(asset=self.get_asset(), status=None)

    def get_object(self) -> Suggestion:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        asset = self.get_asset()
        params = SuggestionStatusSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        suggestions = selectors.suggestion_list(asset=asset, status=params.validated_data["status"])
        page = self.paginate_queryset(suggestions)
        return self.get_paginated_response(s.SuggestionSerializer(page, many=True).data)

    def _fresh(self, suggestion) -> Response:
        fresh = Suggestion.objects.select_related("column").get(pk=suggestion.pk)
        return Response(s.SuggestionSerializer(fresh).data)

    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        suggestion = services.suggestion_accept(
            acting_user=request.user, suggestion=self.get_object()
        )
        return self._fresh(suggestion)

    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        suggestion = services.suggestion_reject(
            acting_user=request.user, suggestion=self.get_object()
        )
        return self._fresh(suggestion)

    @action(detail=False, methods=["post"], url_path="accept-all")
    def accept_all(self, request, *args, **kwargs):
        asset = self.get_asset()
        accepted = services.suggestions_accept_all(acting_user=request.user, asset=asset)
        asset.refresh_from_db(fields=["current_revision"])
        return Response(
            s.SuggestionsAcceptedSerializer(
                {"accepted": accepted, "current_revision": asset.current_revision}
            ).data
        )

    @action(detail=False, methods=["post"], url_path="reject-all")
    def reject_all(self, request, *args, **kwargs):
        rejected = services.suggestions_reject_all(acting_user=request.user, asset=self.get_asset())
        return Response(s.SuggestionsRejectedSerializer({"rejected": rejected}).data)
