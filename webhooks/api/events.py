"""The event feed: ``GET /api/v1/events/?after=<cursor>&type=…&limit=…``.

A script polls it instead of (or besides) receiving webhooks: it keeps the ``cursor`` of
each answer and passes it as ``after`` next time; ``has_more`` says to ask again at
once. Cursors are outbox positions, numbered only after commit (meshportal.events), so
a poller never skips an event that commits late.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from meshportal.api.serializers import DetailSerializer
from meshportal.events import events_sequence

from .. import selectors
from ..filters import FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, FEED_TYPES, EventFilterSet
from .schemas import EventFeedSerializer


class EventFeedView(APIView):
    """Events the caller may see, oldest first, after a cursor."""

    @extend_schema(
        operation_id="events_list",
        summary="Read the event feed",
        description=(
            "Events of the projects you are a member of and of the domains you own or steward "
            "(platform admins: all), in the order they committed. Pass the answer's "
            "`cursor` as `after` next time; when `has_more` is true, ask again at once."
        ),
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.STR,
                description="The `cursor` of the previous answer (omit to start at the "
                "beginning of the outbox).",
            ),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                many=True,
                enum=[value for value, _ in FEED_TYPES],
                description="Only these types (repeat the parameter for several).",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"At most this many events (1–{FEED_LIMIT_MAX}, default "
                f"{FEED_LIMIT_DEFAULT}).",
            ),
        ],
        responses={200: EventFeedSerializer, 400: OpenApiTypes.OBJECT, 401: DetailSerializer},
        tags=["events"],
    )
    def get(self, request):
        filterset = EventFilterSet(
            request.query_params, queryset=selectors.events_visible_to(request.user)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        after = filterset.form.cleaned_data.get("after") or 0
        limit = filterset.limit_value
        # Number what committed since the last numbering, so this read sees it.
        events_sequence()
        events = list(filterset.qs.order_by("position")[: limit + 1])
        page = events[:limit]
        return Response(
            {
                "results": [event.as_message() for event in page],
                "cursor": str(page[-1].position if page else after),
                "has_more": len(events) > limit,
            }
        )
