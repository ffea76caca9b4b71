"""The base of every app's API viewsets.

A new resource's viewset is configuration plus its selector::

    from meshportal.api.viewsets import READ_ERRORS, WRITE_ERRORS, PortalViewSet, validated

    @extend_schema_view(retrieve=extend_schema(responses={200: s.ThingSerializer, **READ_ERRORS}))
    class ThingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
        schema_model = Thing                  # what drf-spectacular sees
        serializer_class = s.ThingSerializer
        filterset_class = ThingFilterSet

        def visible_queryset(self):            # only called for a real request
            return selectors.thing_list(user=self.request.user)

        def create(self, request, *args, **kwargs):
            data = validated(s.ThingInputSerializer, request)
            ...

``PortalViewSet`` answers drf-spectacular's schema inspection (no real user then) with
an empty queryset of ``schema_model``, looks objects up by UUID, and ``validated`` turns a
request body into the input serializer's validated data (or a 400).
"""

from drf_spectacular.types import OpenApiTypes
from rest_framework import viewsets

from .serializers import DetailSerializer

UUID_REGEX = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

# The error responses of the schema, by kind of action.
READ_ERRORS = {404: DetailSerializer}
WRITE_ERRORS = {400: OpenApiTypes.OBJECT, 403: DetailSerializer, 404: DetailSerializer}
DECISION_ERRORS = {403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer}


def is_schema_generation(view) -> bool:
    """True while drf-spectacular inspects the view (there is no real user then)."""
    return getattr(view, "swagger_fake_view", False)


def validated(serializer_class, request, *, partial=False, context=None) -> dict:
    """The request body checked by an input serializer (a 400 with the field errors)."""
    serializer = serializer_class(data=request.data, partial=partial, context=context or {})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class PortalViewSetMixin:
    """UUID lookups, and ``get_queryset`` = ``visible_queryset()`` for a real request or
    ``schema_model.objects.none()`` while the schema is generated."""

    lookup_value_regex = UUID_REGEX
    schema_model = None

    def get_queryset(self):
        if is_schema_generation(self):
            return self.schema_model.objects.none()
        return self.visible_queryset()

    def visible_queryset(self):
        raise NotImplementedError


class PortalViewSet(PortalViewSetMixin, viewsets.GenericViewSet):
    """A GenericViewSet with ``PortalViewSetMixin``; add DRF's mixins for the actions."""
