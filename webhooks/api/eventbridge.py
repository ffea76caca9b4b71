"""``/api/v1/event-bridge-targets/``: where a domain's events go in EventBridge
(platform admins and the domain's OWNERs), and ``…/{id}/deliveries/``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from meshportal.api.serializers import DetailSerializer, ReadOnlyModelSerializer
from meshportal.api.viewsets import (
    READ_ERRORS,
    PortalReadViewSet,
    resource_schema,
    validated,
)
from projects.models import AwsAccount, Domain

from ..eventbridge import selectors, services
from ..eventbridge.services import TARGET_TYPES
from ..filters import EventBridgeDeliveryFilterSet, EventBridgeTargetFilterSet
from ..models import EventBridgeDelivery, EventBridgeDeliveryStatus, EventBridgeTarget
from ..models.eventbridge import EVENT_BUS_MAX_LENGTH
from .schemas import enum


class EventBridgeTargetSerializer(ReadOnlyModelSerializer):
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    aws_account_id = serializers.CharField(source="aws_account.account_id", read_only=True)
    region = serializers.CharField(read_only=True)
    event_types = serializers.ListField(
        child=serializers.CharField(), help_text="Empty: every type."
    )
    cursor = serializers.CharField(
        read_only=True, help_text="The last outbox position fanned out to this target."
    )

    class Meta:
        model = EventBridgeTarget
        fields = [
            "id", "domain", "domain_name", "aws_account", "aws_account_id", "region",
            "event_bus", "event_types", "enabled", "disabled_reason", "cursor",
            "last_delivered_at", "created_at", "updated_at",
        ]  # fmt: skip


class EventBridgeTargetInputSerializer(serializers.Serializer):
    domain = serializers.PrimaryKeyRelatedField(queryset=Domain.objects.all())
    aws_account = serializers.PrimaryKeyRelatedField(queryset=AwsAccount.objects.all())
    event_bus = serializers.CharField(
        max_length=EVENT_BUS_MAX_LENGTH,
        help_text="The bus's name in the account, or its ARN ('default' for the default bus).",
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=TARGET_TYPES),
        max_length=len(TARGET_TYPES),
        required=False,
        default=list,
        help_text="The types to send; empty or left out: every type.",
    )
    enabled = serializers.BooleanField(required=False, default=True)


class EventBridgeTargetUpdateSerializer(serializers.Serializer):
    event_bus = serializers.CharField(max_length=EVENT_BUS_MAX_LENGTH, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=TARGET_TYPES),
        max_length=len(TARGET_TYPES),
        required=False,
    )
    enabled = serializers.BooleanField(
        required=False,
        help_text="Enabling a disabled target retries its failed deliveries.",
    )


class EventBridgeDeliverySerializer(ReadOnlyModelSerializer):
    event_type = serializers.CharField(source="event.type", read_only=True)
    status = enum(EventBridgeDeliveryStatus.values, read_only=True)
    cursor = serializers.CharField(source="position", read_only=True)

    class Meta:
        model = EventBridgeDelivery
        fields = [
            "id", "event", "event_type", "cursor", "status", "attempts", "next_attempt_at",
            "last_error", "delivered_at", "eventbridge_id", "created_at", "updated_at",
        ]  # fmt: skip


@resource_schema(
    EventBridgeTargetSerializer,
    create=EventBridgeTargetInputSerializer,
    update=EventBridgeTargetUpdateSerializer,
    destroy=extend_schema(responses={204: None, 403: DetailSerializer, 404: DetailSerializer}),
    deliveries=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=EventBridgeDeliveryStatus.values)
        ],
        responses={
            200: EventBridgeDeliverySerializer(many=True),
            400: OpenApiTypes.OBJECT,
            **READ_ERRORS,
        },
    ),
)
class EventBridgeTargetViewSet(PortalReadViewSet):
    """A domain's EventBridge targets: visible to and managed by platform admins and the
    domain's OWNERs (others get 404 for a target, 403 for creating one)."""

    schema_model = EventBridgeTarget
    serializer_class = EventBridgeTargetSerializer
    filterset_class = EventBridgeTargetFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    list_selector = staticmethod(selectors.event_bridge_target_list)

    def create(self, request, *args, **kwargs):
        data = validated(EventBridgeTargetInputSerializer, request)
        target = services.event_bridge_target_create(acting_user=request.user, **data)
        return self.respond(target, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        data = validated(EventBridgeTargetUpdateSerializer, request, partial=True)
        target = services.event_bridge_target_update(
            acting_user=request.user, target=target, **data
        )
        return self.respond(target)

    def destroy(self, request, *args, **kwargs):
        target = self.get_object()
        services.event_bridge_target_delete(acting_user=request.user, target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"], serializer_class=EventBridgeDeliverySerializer)
    def deliveries(self, request, pk=None):
        """The target's deliveries, newest first (``?status=`` narrows them)."""
        target = selectors.event_bridge_target_get(user=request.user, pk=pk)
        filterset = EventBridgeDeliveryFilterSet(
            request.query_params, queryset=selectors.event_bridge_delivery_list(target=target)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(EventBridgeDeliverySerializer(page, many=True).data)
