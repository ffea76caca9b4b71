from rest_framework import serializers

from meshportal.api.serializers import ReadOnlyModelSerializer

from ..choices import TokenScope
from ..models import ApiToken
from ..services import TOKEN_MAX_DAYS


class ApiTokenSerializer(ReadOnlyModelSerializer):
    """A personal token as listed: never its key (only its first characters)."""

    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "key_start",
            "scope",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.READ)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=TOKEN_MAX_DAYS, default=90)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The answer to a create: the token and, this once, its key."""

    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
