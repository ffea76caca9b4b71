"""API of webhook endpoints and their deliveries (issue 12; names and fields are a contract).

``POST /webhooks/`` and ``POST /webhooks/{id}/rotate-secret/`` are the only answers that
carry a ``secret``; every other answer leaves it out.
"""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from meshportal.api.serializers import DetailSerializer, ReadOnlyModelSerializer
from meshportal.api.viewsets import (
    READ_ERRORS,
    WRITE_ERRORS,
    PortalReadViewSet,
    PortalViewSet,
    validated,
)
from projects import selectors as project_selectors

from .. import endpoint_selectors as selectors
from .. import endpoint_services as services
from ..choices import DeliveryStatus
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ..models.endpoints import URL_MAX_LENGTH

_ERRORS = {403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer}


# --- serializers ----------------------------------------------------------------------------


class WebhookEndpointSerializer(ReadOnlyModelSerializer):
    """An endpoint as its owners read it (never its secret)."""

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "project",
            "domain",
            "event_types",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "secret_rotated_at",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (Standard Webhooks whsec_…), shown in this answer only."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class _EventTypes(serializers.ListField):
    child = serializers.CharField(max_length=64)


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=URL_MAX_LENGTH)
    project = serializers.UUIDField(required=False, allow_null=True)
    domain = serializers.UUIDField(required=False, allow_null=True)
    event_types = _EventTypes(max_length=services.EVENT_TYPES_MAX, allow_empty=False)
    enabled = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs):
        if bool(attrs.get("project")) == bool(attrs.get("domain")):
            raise serializers.ValidationError({"project": ["Give either a project or a domain."]})
        return attrs


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=URL_MAX_LENGTH, required=False)
    event_types = _EventTypes(max_length=services.EVENT_TYPES_MAX, required=False)
    enabled = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "duration_ms", "response_code", "response_body", "error"]


class WebhookDeliverySerializer(ReadOnlyModelSerializer):
    """One event to one endpoint: its status, attempts, next try and last answer."""

    event_type = serializers.CharField(source="event.type", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "event_type",
            "status",
            "attempts",
            "next_try_at",
            "last_attempt_at",
            "last_response_code",
            "last_response_body",
            "last_error",
            "delivered_at",
            "created_at",
        ]


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "attempt_log"]


class WebhookDeliveryPageSerializer(serializers.Serializer):
    """A page of an endpoint's deliveries (the API's usual pagination)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WebhookDeliverySerializer(many=True)


class RotatedSecretSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    secret = serializers.CharField(help_text="The new signing secret, shown in this answer only.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then messages carry a signature with the previous secret too."
    )


# --- filters --------------------------------------------------------------------------------


class WebhookEndpointFilterSet(django_filters.FilterSet):
    project = django_filters.UUIDFilter(field_name="project_id")
    domain = django_filters.UUIDFilter(field_name="domain_id")
    enabled = django_filters.BooleanFilter()

    class Meta:
        model = WebhookEndpoint
        fields = ["project", "domain", "enabled"]


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    endpoint = django_filters.UUIDFilter(field_name="endpoint_id")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "endpoint"]


# --- viewsets -------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(responses={200: WebhookEndpointSerializer, **READ_ERRORS}),
    destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PortalViewSet,
):
    """Webhook endpoints of the projects and domains the user OWNs."""

    schema_model = WebhookEndpoint
    serializer_class = WebhookEndpointSerializer
    filterset_class = WebhookEndpointFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    list_selector = staticmethod(selectors.endpoint_list)

    @extend_schema(
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer, **WRITE_ERRORS},
        description="Register an endpoint for a project (its OWNERs) or a domain (its "
        "OWNERs). The answer carries the signing secret, shown this once.",
    )
    def create(self, request, *args, **kwargs):
        data = validated(WebhookEndpointCreateSerializer, request)
        project = domain = None
        if data.get("project"):
            project = project_selectors.project_get(user=request.user, pk=data["project"])
        else:
            domain = project_selectors.domain_get(user=request.user, pk=data["domain"])
        endpoint, secret = services.endpoint_create(
            acting_user=request.user,
            url=data["url"],
            event_types=data["event_types"],
            enabled=data.get("enabled", True),
            project=project,
            domain=domain,
        )
        body = WebhookEndpointSerializer(endpoint).data | {"secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        data = validated(WebhookEndpointUpdateSerializer, request, partial=True)
        endpoint = services.endpoint_update(acting_user=request.user, endpoint=endpoint, **data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        services.endpoint_delete(acting_user=request.user, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: RotatedSecretSerializer, **_ERRORS},
        description="A new signing secret, shown this once. The previous one keeps "
        "signing (a second v1 signature) until previous_secret_expires_at.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        endpoint, secret = services.endpoint_rotate_secret(
            acting_user=request.user, endpoint=self.get_object()
        )
        return Response(
            {
                "id": str(endpoint.pk),
                "secret": secret,
                "previous_secret_expires_at": endpoint.previous_secret_expires_at,
            }
        )

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer, **_ERRORS},
        description="Send a webhook.test event to this endpoint only, at once.",
    )
    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        delivery = services.endpoint_send_test(acting_user=request.user, endpoint=self.get_object())
        delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={200: WebhookDeliveryPageSerializer, 400: OpenApiTypes.OBJECT, **READ_ERRORS},
        parameters=[
            OpenApiParameter("status", str, enum=DeliveryStatus.values, required=False),
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        description="The endpoint's deliveries, newest first (filter by status).",
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, *args, **kwargs):
        endpoint = selectors.endpoint_get(user=request.user, pk=kwargs["pk"])
        filterset = WebhookDeliveryFilterSet(
            request.query_params,
            queryset=selectors.delivery_list(user=request.user, endpoint=endpoint),
        )
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(responses={200: WebhookDeliveryDetailSerializer, **READ_ERRORS}),
)
class WebhookDeliveryViewSet(PortalReadViewSet):
    """Deliveries to the endpoints the user manages; one with every attempt."""

    schema_model = WebhookDelivery
    filterset_class = WebhookDeliveryFilterSet

    def get_serializer_class(self):
        if self.action == "retrieve":
            return WebhookDeliveryDetailSerializer
        return WebhookDeliverySerializer

    def visible_queryset(self):
        deliveries = selectors.delivery_list(user=self.request.user).select_related(
            "endpoint__project", "endpoint__domain"
        )
        if self.action == "retrieve":
            deliveries = deliveries.prefetch_related("attempt_log")
        return deliveries

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer, **_ERRORS},
        description="Send the delivery again now, with a fresh retry schedule.",
    )
    @action(detail=True, methods=["post"])
    def redeliver(self, request, *args, **kwargs):
        delivery = self.get_object()
        delivery = services.delivery_redeliver(acting_user=request.user, delivery=delivery)
        delivery = WebhookDelivery.objects.select_related("event").get(pk=delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
