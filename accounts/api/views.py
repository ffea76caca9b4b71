"""``/api/v1/auth/tokens/``: a person's own personal API tokens."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from meshportal.api.viewsets import PortalReadViewSet, validated

from .. import selectors, services
from ..models import ApiToken
from . import serializers as s


class ApiTokenViewSet(PortalReadViewSet):
    """List, create and revoke (DELETE) your own tokens. Others' tokens are 404."""

    schema_model = ApiToken
    serializer_class = s.ApiTokenSerializer
    http_method_names = ["get", "post", "delete", "head", "options"]
    list_selector = staticmethod(selectors.token_list)

    @extend_schema(request=s.ApiTokenCreateSerializer, responses={201: s.ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        data = validated(s.ApiTokenCreateSerializer, request)
        token, key = services.token_create(acting_user=request.user, **data)
        token.key = key
        return Response(s.ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.ApiTokenSerializer})
    def destroy(self, request, *args, **kwargs):
        token = services.token_revoke(acting_user=request.user, token=self.get_object())
        return Response(s.ApiTokenSerializer(token).data)
