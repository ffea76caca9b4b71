"""API views of data sources, their runs and the runs' activities."""

from contextlib import contextmanager

import django_filters
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.choices import ActivityStatus
from catalog.filters import (
    DataSourceFilterSet,
    DataSourceRunFilterSet,
)
from catalog.models import (
    DataSource,
    DataSourceRun,
    RunActivity,
)
from meshportal.api.serializers import DetailSerializer
from meshportal.api.viewsets import (
    READ_ERRORS,
    PortalReadViewSet,
    PortalViewSet,
    resource_schema,
    validated,
)

from .. import serializers as s


class RunActivityFilterSet(django_filters.FilterSet):
    """``?status=`` on a run's activities (e.g. only the FAILED tables)."""

    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)

    class Meta:
        model = RunActivity
        fields = ["status"]


# The API calls the model's database_name/schema_name ``database``/``schema`` (its
# serializers pass the service the model's names); the service's errors about them are
# reported under the API's names.
API_FIELD_NAMES = {"database_name": "database", "schema_name": "schema"}


@contextmanager
def api_field_names():
    """Report a service's ValidationError under the API's field names."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {
                API_FIELD_NAMES.get(field, field): errors
                for field, errors in error.error_dict.items()
            }
        ) from None


@resource_schema(
    s.DataSourceSerializer,
    create=s.DataSourceCreateSerializer,
    update=s.DataSourceUpdateSerializer,
    destroy=extend_schema(
        responses={204: None, 403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer},
        description="Delete the data source (CONTRIBUTOR or OWNER). Its assets stay in the "
        "inventory, detached (``data_source`` becomes null). 409 while a run is going.",
    ),
)
class DataSourceViewSet(PortalReadViewSet):
    """Data sources of the projects the user sees (members, and stewards of the domain).
    CONTRIBUTORs and OWNERs of the project create, change, run and delete them."""

    serializer_class = s.DataSourceSerializer
    filterset_class = DataSourceFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    schema_model = DataSource

    def visible_queryset(self):
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

    def respond(self, data_source, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=data_source.pk)  # with the list's annotations
        return Response(self._serialize([fresh])[0], status=code)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()])[0])

    def create(self, request, *args, **kwargs):
        data = validated(
            s.DataSourceCreateSerializer, request, context=self.get_serializer_context()
        )
        with api_field_names():
            data_source = services.data_source_create(acting_user=request.user, **data)
        return self.respond(data_source, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data_source = self.get_object()
        data = validated(
            s.DataSourceUpdateSerializer,
            request,
            partial=True,
            context=self.get_serializer_context(),
        )
        with api_field_names():
            data_source = services.data_source_update(
                acting_user=request.user, data_source=data_source, **data
            )
        return self.respond(data_source)

    def destroy(self, request, *args, **kwargs):
        services.data_source_delete(acting_user=request.user, data_source=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: s.DataSourceRunSerializer(many=True), **READ_ERRORS},
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


@extend_schema_view(
    retrieve=extend_schema(responses={200: s.DataSourceRunSerializer, 404: DetailSerializer})
)
class DataSourceRunViewSet(PortalReadViewSet):
    """Runs of the data sources the user sees, newest first, with their counts."""

    serializer_class = s.DataSourceRunSerializer
    filterset_class = DataSourceRunFilterSet
    schema_model = DataSourceRun
    list_selector = staticmethod(selectors.run_list)

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
        responses={200: s.RunActivitySerializer(many=True), **READ_ERRORS},
    )
)
class RunActivityViewSet(mixins.ListModelMixin, PortalViewSet):
    """``/data-source-runs/{run_pk}/activities/``: what the run did with each table, in
    the order it did it (``?status=FAILED`` for the tables that went wrong)."""

    serializer_class = s.RunActivitySerializer
    filterset_class = RunActivityFilterSet
    schema_model = RunActivity

    def visible_queryset(self):
        run = selectors.run_get(user=self.request.user, pk=self.kwargs["run_pk"])
        return selectors.activity_list(run=run)
