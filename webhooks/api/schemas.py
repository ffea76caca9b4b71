"""The documented shape of every event (OpenAPI components; these serializers never
read or write data).

An event as every reader gets it (``Event.as_message()``): the envelope ``id``,
``cursor``, ``type``, ``timestamp``, ``domain``, ``projects``, ``actor`` and ``data``, the
type's payload. ``event_schema()`` is a ``oneOf`` of one component per type, discriminated
by ``type``, so a client generator gets one class per event type.
"""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from meshportal.events import EventType
from sharing.choices import GrantBackend, GrantStatus
from subscriptions.choices import SubscriptionRequestStatus, SubscriptionStatus


def enum(values, **kwargs) -> serializers.CharField:
    """A string documented inline with its values. (A ChoiceField would make a named
    enum component per field name, and the many ``status`` and ``type`` fields here
    would collide.)"""
    field_class = type("EventEnumField", (serializers.CharField,), {})
    return extend_schema_field({"type": "string", "enum": list(values)})(field_class)(**kwargs)


# --- The shared vocabulary: objects named by id and name -------------------------------


class EventRefSerializer(serializers.Serializer):
    """A project, domain or other named object: its id and its name when it happened."""

    id = serializers.UUIDField()
    name = serializers.CharField()


class EventIdSerializer(serializers.Serializer):
    id = serializers.UUIDField()


class EventListingSerializer(EventRefSerializer):
    revision = serializers.IntegerField(help_text="The asset revision the listing publishes.")


class EventListingStateSerializer(EventListingSerializer):
    status = enum(["ACTIVE", "INACTIVE"])
    approval_required = serializers.BooleanField()


class EventAssetSerializer(EventRefSerializer):
    name = serializers.CharField(help_text="Business name, else technical name.")


class EventAssetDetailSerializer(EventAssetSerializer):
    technical_name = serializers.CharField()
    type = serializers.CharField(help_text="GLUE_TABLE, GLUE_VIEW, REDSHIFT_TABLE …")


class EventSubscriptionRequestDetailSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=SubscriptionRequestStatus.choices)
    reason = serializers.CharField()
    requester = serializers.CharField(allow_null=True, help_text="Username.")
    expires_at = serializers.DateTimeField(allow_null=True, help_text="The expiry asked for.")
    decision_comment = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class EventSubscriptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices)
    listing_revision = serializers.IntegerField()
    expires_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField(allow_blank=True, help_text='"expired" for an expiry.')


class EventGrantSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    backend = serializers.ChoiceField(choices=GrantBackend.choices)
    status = serializers.ChoiceField(
        choices=GrantStatus.choices, help_text="The grant's status after the change."
    )
    failure_cause = serializers.CharField(allow_blank=True, allow_null=True)


class EventRunCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(allow_null=True)
    processed = serializers.IntegerField()
    added = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    archived = serializers.IntegerField()
    failed = serializers.IntegerField()


class EventRunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = enum(["SUCCESS", "PARTIALLY_SUCCEEDED", "FAILED"])
    type = enum(["PRIORITIZED", "SCHEDULED"])
    error_type = serializers.CharField(allow_blank=True)
    error_message = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    counts = EventRunCountsSerializer()


class EventDataSourceSerializer(EventRefSerializer):
    type = enum(["GLUE", "REDSHIFT"])


class EventEnvironmentSerializer(EventRefSerializer):
    status = enum(["ACTIVE", "DELETED"])


class EventEnvironmentFailureSerializer(EventRefSerializer):
    status = enum(["CREATE_FAILED", "DELETE_FAILED"])
    operation = enum(["CREATE", "DELETE"], help_text="What failed: provisioning or deletion.")
    last_error = serializers.CharField()


# --- Payloads (``data``) per family of types --------------------------------------------


class SubscriptionRequestEventDataSerializer(serializers.Serializer):
    subscription_request = EventSubscriptionRequestDetailSerializer()
    listing = EventListingSerializer()
    asset = EventAssetSerializer()
    consumer_project = EventRefSerializer()
    producer_project = EventRefSerializer()
    domain = EventRefSerializer(help_text="The listing's domain.")


class SubscriptionEventDataSerializer(serializers.Serializer):
    subscription = EventSubscriptionSerializer()
    subscription_request = EventIdSerializer()
    listing = EventListingSerializer()
    asset = EventAssetSerializer()
    consumer_project = EventRefSerializer()
    producer_project = EventRefSerializer()
    domain = EventRefSerializer(help_text="The listing's domain.")


class SubscriptionGrantEventDataSerializer(serializers.Serializer):
    grant = EventGrantSerializer()
    subscription = EventIdSerializer()
    asset = EventAssetSerializer()
    environment = EventRefSerializer(help_text="The consumer environment granted to.")
    consumer_project = EventRefSerializer()
    producer_project = EventRefSerializer()


class ListingPublishedDataSerializer(serializers.Serializer):
    listing = EventListingStateSerializer()
    asset = EventAssetDetailSerializer()
    producer_project = EventRefSerializer()
    domain = EventRefSerializer()
    republished = serializers.BooleanField(help_text="False for the asset's first publish.")


class ListingUnpublishedDataSerializer(serializers.Serializer):
    listing = EventListingStateSerializer()
    asset = EventAssetDetailSerializer()
    producer_project = EventRefSerializer()
    domain = EventRefSerializer()
    cause = enum(
        ["UNPUBLISHED", "ASSET_ARCHIVED"],
        help_text="A person unpublished it, or an import found its table gone.",
    )


class DataSourceRunFinishedDataSerializer(serializers.Serializer):
    data_source_run = EventRunSerializer()
    data_source = EventDataSourceSerializer()
    project = EventRefSerializer()
    domain = EventRefSerializer()


class EnvironmentEventDataSerializer(serializers.Serializer):
    environment = EventEnvironmentSerializer()
    project = EventRefSerializer()
    domain = EventRefSerializer()
    environment_profile = EventRefSerializer()


class EnvironmentFailedDataSerializer(EnvironmentEventDataSerializer):
    environment = EventEnvironmentFailureSerializer()


class WebhookTestDataSerializer(serializers.Serializer):
    message = serializers.CharField()


PAYLOADS = {
    EventType.SUBSCRIPTION_REQUEST_CREATED: SubscriptionRequestEventDataSerializer,
    EventType.SUBSCRIPTION_REQUEST_ACCEPTED: SubscriptionRequestEventDataSerializer,
    EventType.SUBSCRIPTION_REQUEST_REJECTED: SubscriptionRequestEventDataSerializer,
    EventType.SUBSCRIPTION_REQUEST_CANCELLED: SubscriptionRequestEventDataSerializer,
    EventType.SUBSCRIPTION_CREATED: SubscriptionEventDataSerializer,
    EventType.SUBSCRIPTION_REVOKED: SubscriptionEventDataSerializer,
    EventType.SUBSCRIPTION_CANCELLED: SubscriptionEventDataSerializer,
    EventType.SUBSCRIPTION_EXPIRED: SubscriptionEventDataSerializer,
    EventType.SUBSCRIPTION_GRANT_REQUESTED: SubscriptionGrantEventDataSerializer,
    EventType.SUBSCRIPTION_GRANT_COMPLETED: SubscriptionGrantEventDataSerializer,
    EventType.SUBSCRIPTION_GRANT_FAILED: SubscriptionGrantEventDataSerializer,
    EventType.SUBSCRIPTION_GRANT_REVOKE_REQUESTED: SubscriptionGrantEventDataSerializer,
    EventType.SUBSCRIPTION_GRANT_REVOKE_COMPLETED: SubscriptionGrantEventDataSerializer,
    EventType.SUBSCRIPTION_GRANT_REVOKE_FAILED: SubscriptionGrantEventDataSerializer,
    EventType.LISTING_PUBLISHED: ListingPublishedDataSerializer,
    EventType.LISTING_UNPUBLISHED: ListingUnpublishedDataSerializer,
    EventType.DATA_SOURCE_RUN_FINISHED: DataSourceRunFinishedDataSerializer,
    EventType.ENVIRONMENT_ACTIVE: EnvironmentEventDataSerializer,
    EventType.ENVIRONMENT_FAILED: EnvironmentFailedDataSerializer,
    EventType.ENVIRONMENT_DELETED: EnvironmentEventDataSerializer,
    EventType.WEBHOOK_TEST: WebhookTestDataSerializer,
}


# --- The envelope, one component per type -----------------------------------------------


class EventEnvelopeSerializer(serializers.Serializer):
    """What every event carries around its payload (``Event.as_message()``)."""

    id = serializers.UUIDField(help_text="The event's id: the same in every delivery of it.")
    cursor = serializers.CharField(
        allow_null=True, help_text="Its position in the outbox; pass it as `after`."
    )
    timestamp = serializers.DateTimeField(help_text="When the change happened.")
    domain = serializers.UUIDField(allow_null=True, help_text="The domain concerned.")
    projects = serializers.ListField(
        child=serializers.UUIDField(), help_text="The projects concerned."
    )
    actor = serializers.CharField(
        allow_null=True, help_text="Username of who acted; null for the portal itself."
    )


def _component_name(event_type: str) -> str:
    # "subscription_request.created" -> "SubscriptionRequestCreatedEvent"
    words = event_type.replace(".", "_").split("_")
    return "".join(word.capitalize() for word in words) + "Event"


def _event_serializer(event_type: str, payload):
    name = _component_name(event_type)
    return type(
        f"{name}Serializer",
        (EventEnvelopeSerializer,),
        {
            "__doc__": f"A `{event_type}` event ({EventType(event_type).label.lower()}).",
            "type": enum([event_type]),
            "data": payload(),
        },
    )


EVENT_SERIALIZERS = {
    event_type.value: _event_serializer(event_type.value, payload)
    for event_type, payload in PAYLOADS.items()
}


def event_schema(many: bool = False):
    """Feed items and webhook bodies: a ``oneOf`` of the types, discriminated by ``type``."""
    return PolymorphicProxySerializer(
        component_name="Event",
        serializers=EVENT_SERIALIZERS,
        resource_type_field_name="type",
        many=many,
    )


class EventFeedSerializer(serializers.Serializer):
    """One page of the feed."""

    results = event_schema(many=True)
    cursor = serializers.CharField(
        help_text="Pass as `after` on the next call (the last event's cursor, or the `after` "
        "you sent when nothing new came)."
    )
    has_more = serializers.BooleanField(help_text="More events are waiting: ask again at once.")
