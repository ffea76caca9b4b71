"""Serializers of publishing and listings."""

from rest_framework import serializers

from catalog.models import Listing
from glossary.api.serializers import NamedRefSerializer
from meshportal.api.serializers import ReadOnlyModelSerializer
from meshportal.markdown import render_markdown

from .assets import (
    ASSET_TYPE_HELP,
    AssetColumnSerializer,
    AttachedTermSerializer,
    FormValuesSerializer,
    ListingStatusField,
)


class PublishSerializer(serializers.Serializer):
    approval_required = serializers.BooleanField(
        required=False,
        default=True,
        help_text='False: "open to all", subscription requests will be accepted automatically.',
    )


class PublishRefusedSerializer(serializers.Serializer):
    """400: the domain's rules or the asset's forms are not satisfied (``detail`` and
    ``missing``), or the body is wrong (field errors such as ``approval_required``)."""

    detail = serializers.CharField(required=False)
    missing = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Each missing item, in words (when the rules refuse).",
    )


class ListingSerializer(ReadOnlyModelSerializer):
    """A listing as the catalog lists it. ``description`` comes from the published
    snapshot (annotated by the view, which leaves the rest of the snapshot unread)."""

    status = ListingStatusField(read_only=True)
    technical_name = serializers.CharField(source="asset.technical_name", read_only=True)
    type = serializers.CharField(source="asset.type", read_only=True, help_text=ASSET_TYPE_HELP)
    description = serializers.CharField(
        source="snapshot_description", read_only=True, help_text="Markdown."
    )
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "asset",
            "name",
            "technical_name",
            "type",
            "description",
            "domain",
            "domain_name",
            "project",
            "project_name",
            "revision",
            "status",
            "approval_required",
            "published_at",
            "unpublished_at",
        ]


class ListingDetailSerializer(ReadOnlyModelSerializer):
    """What a consumer reads about a published asset: the snapshot of the published
    revision (names, description, schema with column business metadata, terms, forms),
    with the owning project and domain. Editing the asset changes none of it until the
    producer publishes again."""

    status = ListingStatusField(read_only=True)
    business_name = serializers.CharField(source="snapshot.business_name", read_only=True)
    technical_name = serializers.CharField(source="snapshot.technical_name", read_only=True)
    type = serializers.CharField(source="snapshot.type", read_only=True, help_text=ASSET_TYPE_HELP)
    database_name = serializers.CharField(source="snapshot.database_name", read_only=True)
    schema_name = serializers.CharField(source="snapshot.schema_name", read_only=True)
    external_identifier = serializers.CharField(
        source="snapshot.external_identifier", read_only=True
    )
    technical_metadata = serializers.JSONField(source="snapshot.technical_metadata", read_only=True)
    description = serializers.CharField(source="snapshot.description", read_only=True)
    description_html = serializers.SerializerMethodField()
    domain = NamedRefSerializer(read_only=True)
    project = NamedRefSerializer(read_only=True)
    published_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    glossary_terms = AttachedTermSerializer(
        many=True, read_only=True, source="snapshot.glossary_terms"
    )
    columns = AssetColumnSerializer(many=True, read_only=True, source="snapshot.columns")
    forms = FormValuesSerializer(many=True, read_only=True, source="snapshot.forms")

    class Meta:
        model = Listing
        fields = [
            "id",
            "asset",
            "name",
            "business_name",
            "technical_name",
            "type",
            "database_name",
            "schema_name",
            "external_identifier",
            "description",
            "description_html",
            "domain",
            "project",
            "revision",
            "status",
            "approval_required",
            "published_at",
            "published_by",
            "unpublished_at",
            "technical_metadata",
            "columns",
            "glossary_terms",
            "forms",
        ]

    def get_description_html(self, listing) -> str:
        """The published description rendered and sanitised."""
        return str(render_markdown(listing.snapshot.get("description")))
