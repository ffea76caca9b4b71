"""Serializers of the subscriptions API.

Output serializers turn rows (as the selectors return them) into JSON; input
serializers only check the shape of a request. Neither writes: the views pass the
validated data to the services, which decide and save.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meshportal.api.serializers import ReadOnlyModelSerializer

from ..models import (
    COMMENT_MAX_LENGTH,
    END_REASON_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Subscription,
    SubscriptionEvent,
    SubscriptionRequest,
)

_EXPIRY_HELP = "A date (YYYY-MM-DD) in the future; access ends at the end of that day (UTC)."


class SubscriptionEventSerializer(ReadOnlyModelSerializer):
    actor = serializers.SerializerMethodField(help_text='Username, or "automatic".')

    class Meta:
        model = SubscriptionEvent
        fields = ["id", "kind", "actor", "message", "data", "subscription", "created_at"]

    def get_actor(self, event) -> str:
        return event.actor_name


# A request and a subscription both join a listing (of its owning project) and a
# consuming project; both name them the same way. (A comment: a docstring would become
# the schema's description of both.)
class PartiesSerializer(ReadOnlyModelSerializer):
    listing_name = serializers.CharField(source="listing.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    owning_project = serializers.UUIDField(source="listing.project_id", read_only=True)
    owning_project_name = serializers.CharField(source="listing.project.name", read_only=True)

    PARTY_FIELDS = [
        "id",
        "listing",
        "listing_name",
        "project",
        "project_name",
        "owning_project",
        "owning_project_name",
    ]


class SubscriptionRequestSerializer(PartiesSerializer):
    requester = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    subscription = serializers.SerializerMethodField(
        help_text="The subscription an accepted request made."
    )

    class Meta:
        model = SubscriptionRequest
        fields = [
            *PartiesSerializer.PARTY_FIELDS,
            "requester",
            "reason",
            "expires_at",
            "status",
            "reviewer",
            "decision_comment",
            "decided_at",
            "subscription",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.UUID)
    def get_subscription(self, request):
        try:
            return str(request.subscription.pk)
        except ObjectDoesNotExist:
            return None


class SubscriptionRequestDetailSerializer(SubscriptionRequestSerializer):
    timeline = SubscriptionEventSerializer(many=True, read_only=True)

    class Meta(SubscriptionRequestSerializer.Meta):
        fields = [*SubscriptionRequestSerializer.Meta.fields, "timeline"]


class SubscriptionSerializer(PartiesSerializer):
    requester = serializers.SlugRelatedField(
        source="request.requester", slug_field="username", read_only=True
    )
    ended_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            *PartiesSerializer.PARTY_FIELDS,
            "request",
            "requester",
            "listing_revision",
            "status",
            "expires_at",
            "ended_by",
            "ended_at",
            "end_reason",
            "created_at",
            "updated_at",
        ]


class SubscriptionDetailSerializer(SubscriptionSerializer):
    timeline = SubscriptionEventSerializer(many=True, read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "timeline"]


# --- Input ----------------------------------------------------------------------------------


class SubscriptionRequestCreateSerializer(serializers.Serializer):
    listing = serializers.UUIDField(help_text="A published listing's id.")
    project = serializers.UUIDField(help_text="Your project that will consume the data.")
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, allow_blank=True, help_text="Why the project needs it."
    )
    expires_at = serializers.DateField(required=False, allow_null=True, help_text=_EXPIRY_HELP)


class AcceptSerializer(serializers.Serializer):
    decision_comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    expires_at = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_EXPIRY_HELP + " May set or shorten the expiry asked for, never lengthen it.",
    )


class RejectSerializer(serializers.Serializer):
    decision_comment = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH,
        allow_blank=True,
        help_text="Required: the requester learns why.",
    )


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=END_REASON_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
