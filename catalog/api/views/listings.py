"""API views of listings (the published catalog)."""

from django.db.models.fields.json import KT
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework.response import Response

from catalog import selectors
from catalog.filters import ListingFilterSet
from catalog.models import Listing
from meshportal.api.serializers import DetailSerializer
from meshportal.api.viewsets import PortalReadViewSet

from .. import serializers as s


@extend_schema_view(
    list=extend_schema(
        responses={200: s.ListingSerializer(many=True)},
        description="The catalog's listings, newest first: every ACTIVE one, and the "
        "INACTIVE ones of the projects the user is a member of.",
    ),
    retrieve=extend_schema(
        responses={200: s.ListingDetailSerializer, 404: DetailSerializer},
        description="What a consumer reads about a published asset (its published "
        "snapshot). An INACTIVE listing is a 404 except for members of its project.",
    ),
)
class ListingViewSet(PortalReadViewSet):
    """Published assets. Every signed-in user reads ACTIVE listings; unpublished
    (INACTIVE) ones stay visible to the owning project's members only."""

    serializer_class = s.ListingSerializer
    filterset_class = ListingFilterSet
    schema_model = Listing
    list_selector = staticmethod(selectors.listing_list)

    def get_serializer_class(self):
        return s.ListingDetailSerializer if self.action == "retrieve" else s.ListingSerializer

    def list(self, request, *args, **kwargs):
        # Only the description of each snapshot is read, not its schema and forms.
        listings = (
            self.filter_queryset(self.get_queryset())
            .defer("snapshot")
            .annotate(snapshot_description=KT("snapshot__description"))
        )
        page = self.paginate_queryset(listings)
        return self.get_paginated_response(s.ListingSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        listing = selectors.listing_get(user=request.user, pk=kwargs["pk"])
        return Response(s.ListingDetailSerializer(listing).data)
