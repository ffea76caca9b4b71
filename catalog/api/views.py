"""API views of the catalog app: data sources, runs, inventory assets.

Thin on purpose, like the projects API: validate with an input serializer, call a service
(writes) or a selector (reads, already narrowed to what the user may see), serialize.
Services raise ValidationError / PermissionDenied / Conflict; the API's exception handler
turns them into 400 / 403 / 409. An object the user may not see is a 404.
"""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.choices import ActivityStatus, PredictionStatus
from catalog.filters import AssetFilterSet, DataSourceFilterSet, DataSourceRunFilterSet
from catalog.models import (
    Asset,
    AssetRevision,
    DataSource,
    DataSourceRun,
    Prediction,
    RunActivity,
)
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
        return selectors.data_source_list(user=self.request.user).select_related("created_by")

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


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.AssetDetailSerializer, 404: DetailSerializer})
)
class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The inventory: assets of the projects the user sees (members, and stewards of the
    domain). Archived assets are listed too; ``?archived=false`` leaves them out."""

    serializer_class = s.AssetSerializer
    filterset_class = AssetFilterSet
    lookup_value_regex = UUID_REGEX

    def get_queryset(self):
        if _fake(self):
            return Asset.objects.none()
        return selectors.asset_list(user=self.request.user)

    def get_serializer_class(self):
        return s.AssetDetailSerializer if self.action == "retrieve" else s.AssetSerializer

    def retrieve(self, request, *args, **kwargs):
        asset = selectors.asset_get(user=request.user, pk=kwargs["pk"])
        asset.proposed_prediction_count = selectors.prediction_list(asset=asset).count()
        return Response(s.AssetDetailSerializer(asset).data)


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
