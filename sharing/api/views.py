"""API of the sharing app: grants (read, retry, MANUAL status) and environments' extra
roles. Thin: validate, call a service or selector, serialize."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from meshportal.api.serializers import DetailSerializer
from meshportal.api.viewsets import PortalReadViewSet, PortalViewSet, validated
from projects import selectors as project_selectors

from .. import selectors, services
from ..filters import EnvironmentRoleFilterSet, SubscriptionGrantFilterSet
from ..models import EnvironmentRole, SubscriptionGrant
from . import serializers as s

_ERRORS = {403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer}


class SubscriptionGrantViewSet(PortalReadViewSet):
    """Grants of the subscriptions the user sees (either side)."""

    serializer_class = s.SubscriptionGrantSerializer
    filterset_class = SubscriptionGrantFilterSet
    schema_model = SubscriptionGrant
    list_selector = staticmethod(selectors.grant_list)

    @extend_schema(
        request=None,
        responses={202: s.SubscriptionGrantSerializer, **_ERRORS},
        description="Try a GRANT_FAILED (or REVOKE_FAILED) grant again; OWNERs of either "
        "project. 409 when it has not failed.",
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        grant = services.grant_retry(acting_user=request.user, grant=self.get_object())
        return self.respond(grant, status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=s.GrantStatusSerializer,
        responses={200: s.SubscriptionGrantSerializer, 400: DetailSerializer, **_ERRORS},
        description="Report a MANUAL grant GRANTED, GRANT_FAILED, REVOKED or REVOKE_FAILED "
        "(OWNERs of the owning project, or their automation with a token).",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, *args, **kwargs):
        grant = self.get_object()
        data = validated(s.GrantStatusSerializer, request)
        grant = services.grant_status_set(acting_user=request.user, grant=grant, **data)
        return self.respond(grant, status.HTTP_200_OK)


class EnvironmentRoleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PortalViewSet,
):
    """Extra IAM roles of environments: each receives every grant of its environment."""

    serializer_class = s.EnvironmentRoleSerializer
    filterset_class = EnvironmentRoleFilterSet
    schema_model = EnvironmentRole
    list_selector = staticmethod(selectors.environment_role_list)

    @extend_schema(
        request=s.EnvironmentRoleCreateSerializer,
        responses={201: s.EnvironmentRoleSerializer, 400: DetailSerializer, **_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = validated(s.EnvironmentRoleCreateSerializer, request)
        environment = project_selectors.environment_get(user=request.user, pk=data["environment"])
        role = services.environment_role_add(
            acting_user=request.user, environment=environment, role_arn=data["role_arn"]
        )
        return Response(self.get_serializer(role).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.environment_role_remove(acting_user=self.request.user, role=instance)
