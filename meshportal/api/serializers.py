"""Serializers every app's API shares.

``ReadOnlyModelSerializer`` is the base of every output serializer, and
``DetailSerializer`` documents the body of every non-field error in the OpenAPI schema;
a new app's viewset names it through the tables in ``meshportal.api.viewsets``.
"""

from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    """The body of every non-field error (401/403/404/409), for the schema."""

    detail = serializers.CharField()


# The base of every output serializer: each field in ``Meta.fields`` is read-only. The
# API's model serializers only ever answer (serializers never write; input has its own
# plain serializers), so rather than each one ending its Meta with
# ``read_only_fields = fields`` the base says it once. It marks the fields exactly as
# ``read_only_fields`` would (through the same extra kwargs), so the OpenAPI document is
# the same. A detail serializer extends its list serializer's ``Meta.fields``. (A comment,
# not a docstring: drf-spectacular would give every subclass without one this text.)
class ReadOnlyModelSerializer(serializers.ModelSerializer):
    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs[name] = {**extra_kwargs.get(name, {}), "read_only": True}
        return extra_kwargs
