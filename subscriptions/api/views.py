"""API views of the subscriptions app: thin on purpose.

Each action validates the body with an input serializer, resolves what it names through
selectors (already narrowed to the user: what one may not see is a 404, or a 400 when it
is named in a body), calls a service and serializes the result. Services raise
ValidationError / PermissionDenied / Conflict; the API's exception handler makes them
400 / 403 / 409.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog.choices import ListingStatus
from catalog.selectors import listing_list
from meshportal.api.serializers import DetailSerializer
from meshportal.api.viewsets import WRITE_ERRORS, PortalReadViewSet, resource_schema, validated
from projects.selectors import member_projects

from .. import selectors, services
from ..filters import SubscriptionFilterSet, SubscriptionRequestFilterSet
from ..models import Subscription, SubscriptionRequest
from . import serializers as s

_CHANGE_ERRORS = {**WRITE_ERRORS, 409: DetailSerializer}


def _listing_for_request(user, listing_id):
    listing = (
        listing_list(user=user)
        .filter(pk=listing_id, status=ListingStatus.ACTIVE)
        .select_related("domain")
        .first()
    )
    if listing is None:
        raise ValidationError({"listing": "There is no published listing with this id."})
    return listing


def _project_for_request(user, project_id):
    project = member_projects(user=user).filter(pk=project_id).select_related("domain").first()
    if project is None:
        raise ValidationError({"project": "You are not a member of a project with this id."})
    return project


@resource_schema(s.SubscriptionRequestSerializer, detail=s.SubscriptionRequestDetailSerializer)
class SubscriptionRequestViewSet(PortalReadViewSet):
    """Requests of the user's projects and requests for listings the user decides on."""

    serializer_class = s.SubscriptionRequestSerializer
    filterset_class = SubscriptionRequestFilterSet
    http_method_names = ["get", "post", "head", "options"]
    schema_model = SubscriptionRequest
    list_selector = staticmethod(selectors.request_list)

    def _detail(self, request_obj, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.request_get(user=self.request.user, pk=request_obj.pk)
        fresh.timeline = list(selectors.request_timeline(request=fresh))
        return Response(s.SubscriptionRequestDetailSerializer(fresh).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        request=s.SubscriptionRequestCreateSerializer,
        responses={
            201: s.SubscriptionRequestDetailSerializer,
            200: s.SubscriptionRequestDetailSerializer,
            **_CHANGE_ERRORS,
        },
        description="201 with the new request, or 200 with the PENDING one the project "
        "already has for the listing. 409 when the project already holds an approved "
        "subscription to it. A listing open to all is accepted at once.",
    )
    def create(self, request, *args, **kwargs):
        data = validated(s.SubscriptionRequestCreateSerializer, request)
        listing = _listing_for_request(request.user, data["listing"])
        project = _project_for_request(request.user, data["project"])
        created_request, created = services.subscription_request_create(
            acting_user=request.user,
            listing=listing,
            project=project,
            reason=data["reason"],
            expires_at=data.get("expires_at"),
        )
        return self._detail(
            created_request, status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        request=s.AcceptSerializer,
        responses={200: s.SubscriptionRequestDetailSerializer, **_CHANGE_ERRORS},
        description="Accept a PENDING request; ``subscription`` in the answer is the new "
        "subscription's id. 409 when it is no longer PENDING or its listing was unpublished.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        request_obj = self.get_object()
        data = validated(s.AcceptSerializer, request)
        services.subscription_request_accept(acting_user=request.user, request=request_obj, **data)
        return self._detail(request_obj)

    @extend_schema(
        request=s.RejectSerializer,
        responses={200: s.SubscriptionRequestDetailSerializer, **_CHANGE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        request_obj = self.get_object()
        data = validated(s.RejectSerializer, request)
        services.subscription_request_reject(acting_user=request.user, request=request_obj, **data)
        return self._detail(request_obj)

    @extend_schema(
        request=None, responses={200: s.SubscriptionRequestDetailSerializer, **_CHANGE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        request_obj = self.get_object()
        services.subscription_request_cancel(acting_user=request.user, request=request_obj)
        return self._detail(request_obj)


@resource_schema(s.SubscriptionSerializer, detail=s.SubscriptionDetailSerializer)
class SubscriptionViewSet(PortalReadViewSet):
    """What the user's projects consume and what others consume of their listings."""

    serializer_class = s.SubscriptionSerializer
    filterset_class = SubscriptionFilterSet
    http_method_names = ["get", "post", "head", "options"]
    schema_model = Subscription
    list_selector = staticmethod(selectors.subscription_list)

    def _detail(self, subscription) -> Response:
        fresh = selectors.subscription_get(user=self.request.user, pk=subscription.pk)
        fresh.timeline = list(selectors.subscription_timeline(subscription=fresh))
        return Response(s.SubscriptionDetailSerializer(fresh).data)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        request=s.RevokeSerializer,
        responses={200: s.SubscriptionDetailSerializer, **_CHANGE_ERRORS},
        description="The owning side ends the subscription (it is never re-approved).",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        subscription = self.get_object()
        data = validated(s.RevokeSerializer, request)
        services.subscription_revoke(acting_user=request.user, subscription=subscription, **data)
        return self._detail(subscription)

    @extend_schema(request=None, responses={200: s.SubscriptionDetailSerializer, **_CHANGE_ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        subscription = self.get_object()
        services.subscription_cancel(acting_user=request.user, subscription=subscription)
        return self._detail(subscription)
