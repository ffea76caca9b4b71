"""The base of every app's API viewsets.

A new resource's viewset is configuration plus its selector::

    from meshportal.api.viewsets import READ_ERRORS, WRITE_ERRORS, PortalReadViewSet, validated

    @extend_schema_view(retrieve=extend_schema(responses={200: s.ThingSerializer, **READ_ERRORS}))
    class ThingViewSet(PortalReadViewSet):
        schema_model = Thing                  # what drf-spectacular sees
        serializer_class = s.ThingSerializer
        filterset_class = ThingFilterSet
        list_selector = staticmethod(selectors.thing_list)  # called with user=request.user

        def create(self, request, *args, **kwargs):
            data = validated(s.ThingInputSerializer, request)
            thing = services.thing_create(acting_user=request.user, **data)
            return self.respond(thing, status.HTTP_201_CREATED)

``PortalReadViewSet`` lists and retrieves; ``PortalViewSet`` (without those actions) answers drf-spectacular's schema inspection (no real user then) with
an empty queryset of ``schema_model``, looks objects up by UUID, and ``validated`` turns a
request body into the input serializer's validated data (or a 400).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from .serializers import DetailSerializer

UUID_REGEX = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

# The error responses of the schema, by kind of action.
READ_ERRORS = {404: DetailSerializer}
WRITE_ERRORS = {400: OpenApiTypes.OBJECT, 403: DetailSerializer, 404: DetailSerializer}
DECISION_ERRORS = {403: DetailSerializer, 404: DetailSerializer, 409: DetailSerializer}


def resource_schema(output, *, detail=None, create=None, update=None, **actions):
    """The OpenAPI description of a resource's viewset (an ``extend_schema_view``): the
    list answers ``output`` objects and retrieve ``detail`` (default ``output``) or a
    404; ``create`` and ``update`` name the input serializers of POST (201) and PATCH
    (200), which answer ``output`` or the write errors. Other actions' ``extend_schema``
    are passed by name (``destroy=extend_schema(...)``), and replace the above."""
    views = {
        "list": extend_schema(responses={200: output(many=True)}),
        "retrieve": extend_schema(responses={200: detail or output, **READ_ERRORS}),
    }
    if create is not None:
        views["create"] = extend_schema(request=create, responses={201: output, **WRITE_ERRORS})
    if update is not None:
        views["partial_update"] = extend_schema(
            request=update, responses={200: output, **WRITE_ERRORS}
        )
    return extend_schema_view(**{**views, **actions})


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
    ``schema_model.objects.none()`` while the schema is generated.

    ``visible_queryset`` is by default ``list_selector(user=request.user)`` (a
    ``staticmethod`` of the app's selector); a viewset whose rows depend on more than
    the user overrides it. ``respond`` is how a write answers."""

    lookup_value_regex = UUID_REGEX
    schema_model = None
    list_selector = None  # staticmethod(selectors.thing_list): the rows the user sees

    def get_queryset(self):
        if is_schema_generation(self):
            return self.schema_model.objects.none()
        return self.visible_queryset()

    def visible_queryset(self):
        if self.list_selector is None:
            raise NotImplementedError("name a list_selector or override visible_queryset")
        return self.list_selector(user=self.request.user)

    def respond(self, obj, code=status.HTTP_200_OK) -> Response:
        """A write's answer: the object re-read through ``get_queryset`` (so it carries
        the list's annotations, as a GET would show it) and serialized."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)


class PortalViewSet(PortalViewSetMixin, viewsets.GenericViewSet):
    """A GenericViewSet with ``PortalViewSetMixin``; add DRF's mixins for the actions."""


# List and retrieve, the start of most resources; writes and actions are added. (A
# comment, not a docstring: drf-spectacular would describe every viewset without one
# by it.)
class PortalReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PortalViewSet):
    pass
