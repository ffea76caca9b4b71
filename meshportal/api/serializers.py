"""Serializers every app's API shares.

``DetailSerializer`` documents the body of every non-field error in the OpenAPI schema;
a new app's viewset names it through the tables in ``meshportal.api.viewsets``.
"""

from rest_framework import serializers


class DetailSerializer(serializers.Serializer):
    """The body of every non-field error (401/403/404/409), for the schema."""

    detail = serializers.CharField()
