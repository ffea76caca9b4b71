"""``/api/v1/domains/{domain_pk}/members/``: who owns and stewards a domain.

Everyone signed in reads them; platform admins and the domain's OWNERs add, change and
remove them (users by username, or SSO groups), role OWNER or STEWARD.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from meshportal.api.schema import user_or_group_request
from meshportal.api.serializers import ReadOnlyModelSerializer
from meshportal.api.viewsets import WRITE_ERRORS, PortalReadViewSet, validated
from projects import selectors, services
from projects.choices import DomainRole
from projects.models import DomainMembership


class DomainMemberSerializer(ReadOnlyModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DomainMembership
        fields = ["id", "domain", "user", "group", "role", "created_at", "updated_at"]


class DomainMemberCreateSerializer(serializers.Serializer):
    """Exactly one of ``user`` (a username) and ``group`` (an SSO group name)."""

    user = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    group = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    role = serializers.ChoiceField(choices=DomainRole.choices)


class DomainMemberUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=DomainRole.choices)


_DOMAIN_PK = OpenApiParameter(
    "domain_pk", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The domain's id."
)


@extend_schema_view(
    list=extend_schema(parameters=[_DOMAIN_PK]),
    retrieve=extend_schema(parameters=[_DOMAIN_PK]),
    create=extend_schema(
        parameters=[_DOMAIN_PK],
        request={
            "application/json": user_or_group_request(
                "role", DomainRole.values, user_max_length=150
            )
        },
        responses={201: DomainMemberSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[_DOMAIN_PK],
        request=DomainMemberUpdateSerializer,
        responses={200: DomainMemberSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(parameters=[_DOMAIN_PK], responses={204: None, **WRITE_ERRORS}),
)
class DomainMemberViewSet(PortalReadViewSet):
    serializer_class = DomainMemberSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_domain(self):
        if not hasattr(self, "_domain"):
            self._domain = selectors.domain_get(user=self.request.user, pk=self.kwargs["domain_pk"])
        return self._domain

    schema_model = DomainMembership

    def visible_queryset(self):
        return selectors.domain_member_list(domain=self.get_domain())

    def get_object(self):
        return selectors.domain_member_get(domain=self.get_domain(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = validated(DomainMemberCreateSerializer, request)
        membership = services.domain_member_add(
            acting_user=request.user,
            domain=self.get_domain(),
            role=data["role"],
            username=data["user"],
            group=data["group"],
        )
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        data = validated(DomainMemberUpdateSerializer, request)
        membership = services.domain_member_update(
            acting_user=request.user, membership=membership, role=data["role"]
        )
        return Response(self.get_serializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        services.domain_member_remove(acting_user=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)
