"""API views of the catalog app: data sources, runs, inventory assets, listings.

Thin on purpose, like the projects API: validate with an input serializer, call a service
(writes) or a selector (reads, already narrowed to what the user may see), serialize.
Services raise ValidationError / PermissionDenied / Conflict; the API's exception handler
turns them into 400 / 403 / 409. An object the user may not see is a 404.
"""

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Prefetch, prefetch_related_objects
from django.db.models.fields.json import KT
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.choices import ActivityStatus, PredictionStatus
from catalog.filters import (
    AssetFilterSet,
    DataSourceFilterSet,
    DataSourceRunFilterSet,
    ListingFilterSet,
)
from catalog.models import (
    Asset,
    AssetForm,
    AssetRevision,
    DataSource,
    DataSourceRun,
    Listing,
    Prediction,
    RunActivity,
)
from catalog.snapshots import forms_snapshot
from glossary.models import FormField
from glossary.queries import light_terms
from projects.api.serializers import DetailSerializer
from projects.api.views import UUID_REGEX

from . import serializers as s

_ERRORS = {400: OpenApiTypes.OBJECT, 403: DetailSerializer, 404: DetailSerializer}
_READ_ERRORS = {404: DetailSerializer}
_DECISION_ERRORS = {403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer}


def _fake(view) -> bool:
    """True while drf-spectacular inspects the view (there is no real user then)."""
    return getattr(view, "swagger_fake_view", False)


def _validated(serializer_class, request, *, partial=False, context=None) -> dict:
    serializer = serializer_class(data=request.data, partial=partial, context=context or {})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RunActivityFilterSet(django_filters.FilterSet):
    """``?status=`` on a run's activities (e.g. only the FAILED tables)."""

    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)

    class Meta:
        model = RunActivity
        fields = ["status"]


# --- Data sources -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: s.DataSourceSerializer(many=True)}),
    retrieve=extend_schema(responses={200: s.DataSourceSerializer, **_READ_ERRORS}),
    create=extend_schema(
        request=s.DataSourceCreateSerializer, responses={201: s.DataSourceSerializer, **_ERRORS}
    ),
    partial_update=extend_schema(
        request=s.DataSourceUpdateSerializer, responses={200: s.DataSourceSerializer, **_ERRORS}
    ),
    destroy=extend_schema(
        responses={204: None, 403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer},
        description="Delete the data source (CONTRIBUTOR or OWNER). Its assets stay in the "
        "inventory, detached (``data_source`` becomes null). 409 while a run is going.",
    ),
)
class DataSourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Data sources of the projects the user sees (members, and stewards of the domain).
    CONTRIBUTORs and OWNERs of the project create, change, run and delete them."""

    serializer_class = s.DataSourceSerializer
    filterset_class = DataSourceFilterSet
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if _fake(self):
            return DataSource.objects.none()
        # The default forms' ids ride along in the same query, so a page costs the same.
        default_form_types = DataSource.default_form_types.through.objects.filter(
            datasource_id=OuterRef("pk")
        ).values("formtype_id")
        return (
            selectors.data_source_list(user=self.request.user)
            .select_related("created_by")
            .annotate(default_form_type_ids=ArraySubquery(default_form_types))
        )

    def get_object(self) -> DataSource:
        # Not filtered by the list's query parameters: an id names one source.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _serialize(self, data_sources: list):
        """Serialize with each source's newest run, read in one query for all of them."""
        context = self.get_serializer_context()
        context["latest_runs"] = selectors.latest_runs(data_sources)
        return s.DataSourceSerializer(data_sources, context=context, many=True).data

    def _output(self, data_source, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=data_source.pk)  # with the list's annotations
        return Response(self._serialize([fresh])[0], status=code)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()])[0])

    def create(self, request, *args, **kwargs):
        data = _validated(
            s.DataSourceCreateSerializer, request, context=self.get_serializer_context()
        )
        data_source = services.data_source_create(acting_user=request.user, **data)
        return self._output(data_source, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data_source = self.get_object()
        data = _validated(
            s.DataSourceUpdateSerializer,
            request,
            partial=True,
            context=self.get_serializer_context(),
        )
        data_source = services.data_source_update(
            acting_user=request.user, data_source=data_source, **data
        )
        return self._output(data_source)

    def destroy(self, request, *args, **kwargs):
        services.data_source_delete(acting_user=request.user, data_source=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: s.DataSourceRunSerializer(many=True), **_READ_ERRORS},
        description="The data source's runs, newest first.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def runs(self, request, *args, **kwargs):
        data_source = self.get_object()
        runs = selectors.run_list(user=request.user).filter(data_source=data_source)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(s.DataSourceRunSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={
            201: s.DataSourceRunSerializer,
            403: DetailSerializer,
            404: DetailSerializer,
            409: s.RunConflictSerializer,
        },
        description="Start an on-demand (PRIORITIZED) run (CONTRIBUTOR or OWNER). The import "
        "happens in the background: follow the run's status and counts. When a run is "
        "already REQUESTED or RUNNING the answer is 409 with that run; a disabled source "
        "or an environment that is not ACTIVE is 409 with the reason.",
    )
    @runs.mapping.post
    def start_run(self, request, *args, **kwargs):
        data_source = self.get_object()
        run, created = services.data_source_run_start(
            acting_user=request.user, data_source=data_source
        )
        fresh = selectors.run_get(user=request.user, pk=run.pk)
        body = s.DataSourceRunSerializer(fresh).data
        if created:
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(
            {
                "detail": f"Data source '{data_source.name}' is already running "
                f"({fresh.get_status_display().lower()}); follow that run, or start "
                "another once it has finished.",
                "run": body,
            },
            status=status.HTTP_409_CONFLICT,
        )


# --- Runs ---------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.DataSourceRunSerializer, 404: DetailSerializer})
)
class DataSourceRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Runs of the data sources the user sees, newest first, with their counts."""

    serializer_class = s.DataSourceRunSerializer
    filterset_class = DataSourceRunFilterSet
    lookup_value_regex = UUID_REGEX

    def get_queryset(self):
        if _fake(self):
            return DataSourceRun.objects.none()
        return selectors.run_list(user=self.request.user)

    def get_object(self) -> DataSourceRun:
        # Not filtered: the list's filters (and the activities' ?status=) are not about it.
        return selectors.run_get(user=self.request.user, pk=self.kwargs["pk"])


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "run_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The run's id."
            )
        ],
        responses={200: s.RunActivitySerializer(many=True), **_READ_ERRORS},
    )
)
class RunActivityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """``/data-source-runs/{run_pk}/activities/``: what the run did with each table, in
    the order it did it (``?status=FAILED`` for the tables that went wrong)."""

    serializer_class = s.RunActivitySerializer
    filterset_class = RunActivityFilterSet

    def get_queryset(self):
        if _fake(self):
            return RunActivity.objects.none()
        run = selectors.run_get(user=self.request.user, pk=self.kwargs["run_pk"])
        return selectors.activity_list(run=run)


# --- Assets -------------------------------------------------------------------------------


def _terms():
    return light_terms().order_by("name")


def editable_forms(asset) -> list[dict]:
    """The asset's forms as forms_snapshot reads them, with what a person filling them
    needs besides: each field's help text and the glossary a term field draws from, and
    whether the values were filled under the form type's current revision. Three queries
    at most, for any number of forms and fields."""
    asset_forms = list(
        AssetForm.objects.filter(asset=asset)
        .select_related("form_type")
        .prefetch_related(
            Prefetch("form_type__fields", queryset=FormField.objects.order_by("order"))
        )
        .order_by("form_type__name")
    )
    forms = forms_snapshot(asset_forms)
    for data, asset_form in zip(forms, asset_forms, strict=True):
        form_type = asset_form.form_type
        data["form_type"]["revision"] = form_type.revision
        data["is_current"] = asset_form.form_revision == form_type.revision
        by_name = {f.name: f for f in form_type.fields.all()}
        for field in data["fields"]:
            source = by_name.get(field["name"])
            field["help_text"] = source.help_text if source else ""
            field["glossary"] = source.glossary_id if source else None
    return forms


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
        responses={200: s.AssetDetailSerializer, **_ERRORS},
        description="Change the business name, the Markdown description and the glossary "
        "terms (CONTRIBUTOR or OWNER). One revision records what changed; nothing changed "
        'writes none. Errors name the field: ``{"glossary_terms": ["Term \'X\' is disabled '
        '…"]}``.',
    ),
)
class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The inventory: assets of the projects the user sees (members, and stewards of the
    domain). Archived assets are listed too; ``?archived=false`` leaves them out.
    CONTRIBUTORs and OWNERs of the project edit the business metadata and publish."""

    serializer_class = s.AssetSerializer
    filterset_class = AssetFilterSet
    lookup_value_regex = UUID_REGEX
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if _fake(self):
            return Asset.objects.none()
        return selectors.asset_list(user=self.request.user)

    def get_serializer_class(self):
        return s.AssetDetailSerializer if self.action == "retrieve" else s.AssetSerializer

    def get_object(self) -> Asset:
        # Not filtered by the list's query parameters: an id names one asset.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _detail(self, pk) -> Response:
        """The asset with its columns, terms, forms and listing, in a constant number of
        queries whatever the number of columns."""
        asset = selectors.asset_get(user=self.request.user, pk=pk)
        asset.proposed_prediction_count = selectors.prediction_list(asset=asset).count()
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
        data = _validated(s.AssetUpdateSerializer, request, partial=True)
        services.asset_update(acting_user=request.user, asset=asset, **data)
        return self._detail(asset.pk)

    @extend_schema(
        request=s.ColumnUpdateSerializer(many=True),
        responses={200: s.AssetDetailSerializer, **_ERRORS},
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
        responses={200: s.AssetFormSerializer(many=True), **_ERRORS},
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
        data = _validated(s.PublishSerializer, request)
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


class AssetChildViewSet(viewsets.GenericViewSet):
    """Base of ``/assets/{asset_pk}/…``: the asset must be visible, or it is a 404."""

    lookup_value_regex = UUID_REGEX

    def get_asset(self) -> Asset:
        if not hasattr(self, "_asset"):
            self._asset = get_object_or_404(
                selectors.asset_list(user=self.request.user), pk=self.kwargs["asset_pk"]
            )
        return self._asset


@extend_schema_view(
    list=extend_schema(
        parameters=[_ASSET_PK],
        responses={200: s.AssetRevisionSerializer(many=True), **_READ_ERRORS},
        description="The asset's revisions, newest first, with what changed (no snapshots).",
    ),
    retrieve=extend_schema(
        parameters=[
            _ASSET_PK,
            OpenApiParameter(
                "revision", OpenApiTypes.INT, OpenApiParameter.PATH, description="1, 2, …"
            ),
        ],
        responses={200: s.AssetRevisionDetailSerializer, **_READ_ERRORS},
        description="One revision with the full snapshot of the asset as it was.",
    ),
)
class AssetRevisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, AssetChildViewSet):
    serializer_class = s.AssetRevisionSerializer
    lookup_field = "revision"
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if _fake(self):
            return AssetRevision.objects.none()
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


class PredictionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=PredictionStatus.choices, required=False, default=PredictionStatus.PROPOSED
    )


_PREDICTION_PK = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The prediction's id."
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _ASSET_PK,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=PredictionStatus.values,
                description="Which suggestions (PROPOSED when not given).",
            ),
        ],
        responses={200: s.PredictionSerializer(many=True), **_READ_ERRORS},
        description="Suggestions for the asset: its own business name first, then its "
        "columns in order.",
    ),
    accept=extend_schema(
        parameters=[_ASSET_PK, _PREDICTION_PK],
        request=None,
        responses={200: s.PredictionSerializer, **_DECISION_ERRORS},
        description="Accept one suggestion (CONTRIBUTOR or OWNER): the business name is set "
        "and a revision written. 409 when it was already decided.",
    ),
    reject=extend_schema(
        parameters=[_ASSET_PK, _PREDICTION_PK],
        request=None,
        responses={200: s.PredictionSerializer, **_DECISION_ERRORS},
        description="Reject one suggestion (CONTRIBUTOR or OWNER); 409 when already decided.",
    ),
    accept_all=extend_schema(
        parameters=[_ASSET_PK],
        request=None,
        responses={200: s.PredictionsAcceptedSerializer, **_DECISION_ERRORS},
        description="Accept every PROPOSED business name of the asset in one revision.",
    ),
    reject_all=extend_schema(
        parameters=[_ASSET_PK],
        request=None,
        responses={200: s.PredictionsRejectedSerializer, **_DECISION_ERRORS},
        description="Reject every PROPOSED suggestion of the asset.",
    ),
)
class PredictionViewSet(mixins.ListModelMixin, AssetChildViewSet):
    """``/assets/{asset_pk}/predictions/``: business-name suggestions to accept or reject."""

    serializer_class = s.PredictionSerializer

    def get_queryset(self):
        if _fake(self):
            return Prediction.objects.none()
        return selectors.prediction_list(asset=self.get_asset(), status=None)

    def get_object(self) -> Prediction:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def list(self, request, *args, **kwargs):
        asset = self.get_asset()
        params = PredictionStatusSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        predictions = selectors.prediction_list(asset=asset, status=params.validated_data["status"])
        page = self.paginate_queryset(predictions)
        return self.get_paginated_response(s.PredictionSerializer(page, many=True).data)

    def _fresh(self, prediction) -> Response:
        fresh = Prediction.objects.select_related("column").get(pk=prediction.pk)
        return Response(s.PredictionSerializer(fresh).data)

    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        prediction = services.prediction_accept(
            acting_user=request.user, prediction=self.get_object()
        )
        return self._fresh(prediction)

    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        prediction = services.prediction_reject(
            acting_user=request.user, prediction=self.get_object()
        )
        return self._fresh(prediction)

    @action(detail=False, methods=["post"], url_path="accept-all")
    def accept_all(self, request, *args, **kwargs):
        asset = self.get_asset()
        accepted = services.predictions_accept_all(acting_user=request.user, asset=asset)
        asset.refresh_from_db(fields=["current_revision"])
        return Response(
            s.PredictionsAcceptedSerializer(
                {"accepted": accepted, "current_revision": asset.current_revision}
            ).data
        )

    @action(detail=False, methods=["post"], url_path="reject-all")
    def reject_all(self, request, *args, **kwargs):
        rejected = services.predictions_reject_all(acting_user=request.user, asset=self.get_asset())
        return Response(s.PredictionsRejectedSerializer({"rejected": rejected}).data)


# --- Listings -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        responses={200: s.ListingSerializer(many=True)},
        description="The catalog's listings, newest first: every ACTIVE one, and the "
        "INACTIVE ones of the projects the user is a member of.",
    ),
    retrieve=extend_schema(
        responses={200: s.ListingDetailSerializer, 404: DetailSerializer},
        description="What a consumer reads about a published asset (its published "
        "snapshot). An INACTIVE listing is a 404 except for members of its project.",
    ),
)
class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published assets. Every signed-in user reads ACTIVE listings; unpublished
    (INACTIVE) ones stay visible to the owning project's members only."""

    serializer_class = s.ListingSerializer
    filterset_class = ListingFilterSet
    lookup_value_regex = UUID_REGEX

    def get_queryset(self):
        if _fake(self):
            return Listing.objects.none()
        return selectors.listing_list(user=self.request.user)

    def get_serializer_class(self):
        return s.ListingDetailSerializer if self.action == "retrieve" else s.ListingSerializer

    def list(self, request, *args, **kwargs):
        # Only the description of each snapshot is read, not its schema and forms.
        listings = (
            self.filter_queryset(self.get_queryset())
            .defer("snapshot")
            .annotate(snapshot_description=KT("snapshot__description"))
        )
        page = self.paginate_queryset(listings)
        return self.get_paginated_response(s.ListingSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        listing = selectors.listing_get(user=request.user, pk=kwargs["pk"])
        return Response(s.ListingDetailSerializer(listing).data)
