from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from meshportal.api.serializers import ReadOnlyModelSerializer

from ..choices import ManualGrantStatus
from ..events import how_to_query
from ..models import EnvironmentRole, SubscriptionGrant
from ..services import MESSAGE_MAX_LENGTH


class SubscriptionGrantSerializer(ReadOnlyModelSerializer):
    """A grant as clients read it; ``target`` is what was created in AWS, ``how_to_query``
    how the consumer uses it."""

    how_to_query = serializers.SerializerMethodField()

    class Meta:
        model = SubscriptionGrant
        fields = [
            "id",
            "subscription",
            "environment",
            "backend",
            "status",
            "failure_cause",
            "attempts",
            "granted_at",
            "revoked_at",
            "target",
            "how_to_query",
        ]

    @extend_schema_field(serializers.DictField())
    def get_how_to_query(self, grant) -> dict:
        return how_to_query(grant)


class GrantStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ManualGrantStatus.choices)
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class EnvironmentRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnvironmentRole
        fields = ["id", "environment", "role_arn", "created_at"]
        read_only_fields = ["id", "created_at"]


class EnvironmentRoleCreateSerializer(serializers.Serializer):
    environment = serializers.UUIDField()
    role_arn = serializers.CharField(max_length=2048)
