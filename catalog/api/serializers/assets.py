"""Serializers of inventory assets: detail, columns, forms, edits, revisions, suggestions."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.choices import ListingStatus
from catalog.models import (
    Asset,
    AssetColumn,
    AssetRevision,
    Listing,
    Suggestion,
)
from meshportal.api.serializers import ReadOnlyModelSerializer
from meshportal.markdown import render_markdown

ASSET_TYPE_HELP = "GLUE_TABLE, GLUE_VIEW, REDSHIFT_TABLE or REDSHIFT_VIEW."


class AssetSerializer(ReadOnlyModelSerializer):
    """An inventory asset as lists show it (without columns)."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    domain = serializers.UUIDField(source="project.domain_id", read_only=True)
    # A string, not a ChoiceField: the detail serializer carries the enum.
    type = serializers.CharField(read_only=True, help_text=ASSET_TYPE_HELP)
    data_source_name = serializers.CharField(
        source="data_source.name", read_only=True, allow_null=True, default=None
    )
    column_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "project",
            "project_name",
            "domain",
            "data_source",
            "data_source_name",
            "type",
            "technical_name",
            "database_name",
            "schema_name",
            "business_name",
            "column_count",
            "current_revision",
            "archived_at",
            "created_at",
            "updated_at",
        ]


class AttachedTermSerializer(serializers.Serializer):
    """A glossary term on an asset or a column: its id (what a PATCH sends back), its
    name and the name of its glossary. Reads terms and their snapshots (listings) alike."""

    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    glossary = serializers.CharField(read_only=True, help_text="The glossary's name.")


class AssetColumnSerializer(ReadOnlyModelSerializer):
    """A column with its business metadata (an asset's column, or one of a listing's
    snapshot)."""

    glossary_terms = AttachedTermSerializer(many=True, read_only=True)

    class Meta:
        model = AssetColumn
        fields = [
            "name",
            "data_type",
            "position",
            "is_partition_key",
            "source_comment",
            "business_name",
            "description",
            "glossary_terms",
        ]


@extend_schema_field(
    {"type": "string", "enum": ListingStatus.values}, component_name="ListingStatusEnum"
)
class ListingStatusField(serializers.ChoiceField):
    """ACTIVE or INACTIVE, one named enum for every listing shape (several catalog
    models have a ``status`` of their own)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ListingStatus.choices, **kwargs)


class ListingSummarySerializer(ReadOnlyModelSerializer):
    """The asset's listing as the producer follows it from the asset."""

    status = ListingStatusField(read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "status", "revision", "approval_required", "published_at"]


class FormTypeRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class FormFieldValueSerializer(serializers.Serializer):
    """One field of a filled form: its label, its value as stored and as people read it
    (``display``: a term's name, Yes/No, …). A field removed from the form since it was
    filled keeps its value, labelled "(from form revision N)"."""

    name = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    type = serializers.CharField(
        read_only=True,
        help_text="STRING, TEXT, BOOLEAN, INTEGER, DECIMAL, DATE, EMAIL, URL or GLOSSARY_TERM.",
    )
    required = serializers.BooleanField(read_only=True)
    searchable = serializers.BooleanField(read_only=True)
    value = serializers.JSONField(
        read_only=True, help_text="As stored: dates are YYYY-MM-DD, decimals strings, terms ids."
    )
    display = serializers.CharField(read_only=True)


class FormValuesSerializer(serializers.Serializer):
    """A metadata form with its values, as a listing shows it."""

    form_type = FormTypeRefSerializer(read_only=True)
    form_revision = serializers.IntegerField(
        read_only=True, help_text="The form type's revision the values were filled under."
    )
    fields = FormFieldValueSerializer(many=True, read_only=True)


class EditableFormFieldSerializer(FormFieldValueSerializer):
    help_text = serializers.CharField(read_only=True)
    glossary = serializers.UUIDField(
        read_only=True,
        allow_null=True,
        help_text="For GLOSSARY_TERM fields: the glossary whose (enabled) terms it accepts.",
    )


class FormTypeRevisionSerializer(FormTypeRefSerializer):
    revision = serializers.IntegerField(
        read_only=True, help_text="The form type's current revision."
    )


class AssetFormSerializer(serializers.Serializer):
    """A metadata form on an asset, for the producer who fills it."""

    form_type = FormTypeRevisionSerializer(read_only=True)
    form_revision = serializers.IntegerField(
        read_only=True, help_text="The form type's revision the values were filled under."
    )
    is_current = serializers.BooleanField(
        read_only=True,
        help_text="False when the form type changed since: saving the form again moves it "
        "to the current revision.",
    )
    fields = EditableFormFieldSerializer(many=True, read_only=True)


class AssetDetailSerializer(ReadOnlyModelSerializer):
    """Everything about one asset: technical and business metadata, columns in order,
    glossary terms, metadata forms, its listing, and how many suggestions wait for a
    decision. ``proposed_prediction_count``, ``forms_data`` and ``published_listing`` are
    set by the view, read in a constant number of queries."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    domain = serializers.UUIDField(source="project.domain_id", read_only=True)
    data_source_name = serializers.CharField(
        source="data_source.name", read_only=True, allow_null=True, default=None
    )
    description_html = serializers.SerializerMethodField()
    glossary_terms = AttachedTermSerializer(many=True, read_only=True)
    columns = AssetColumnSerializer(many=True, read_only=True)
    forms = AssetFormSerializer(many=True, read_only=True, source="forms_data")
    listing = ListingSummarySerializer(read_only=True, allow_null=True, source="published_listing")
    unpublished_changes = serializers.SerializerMethodField()
    proposed_prediction_count = serializers.IntegerField(
        read_only=True,
        source="proposed_suggestion_count",
        help_text="How many suggestions (predictions) wait for a decision.",
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "project",
            "project_name",
            "domain",
            "data_source",
            "data_source_name",
            "type",
            "external_identifier",
            "technical_name",
            "database_name",
            "schema_name",
            "business_name",
            "description",
            "description_html",
            "glossary_terms",
            "technical_metadata",
            "content_hash",
            "source_updated_at",
            "current_revision",
            "archived_at",
            "columns",
            "forms",
            "listing",
            "unpublished_changes",
            "proposed_prediction_count",
            "created_at",
            "updated_at",
        ]

    def get_description_html(self, asset) -> str:
        """The Markdown description rendered and sanitised (no scripts, no javascript:)."""
        return str(render_markdown(asset.description))

    def get_unpublished_changes(self, asset) -> bool:
        """True when the asset is published (ACTIVE) and was edited since."""
        listing = asset.published_listing
        return listing is not None and listing.has_unpublished_changes(asset)


class AssetUpdateSerializer(serializers.Serializer):
    """The asset's business metadata; fields left out stay as they are."""

    business_name = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="At most 255 characters; empty shows the technical name.",
    )
    description = serializers.CharField(
        allow_blank=True,
        required=False,
        trim_whitespace=False,
        help_text="Markdown; stored as given and shown sanitised (description_html).",
    )
    glossary_terms = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Every term the asset carries (the list replaces the current one): "
        "enabled terms of the domain's glossaries; a term attached before it was disabled "
        "may stay.",
    )


class ColumnUpdateSerializer(serializers.Serializer):
    """One column's business metadata, the column named by ``name``; fields left out stay."""

    name = serializers.CharField(help_text="The column's (technical) name.")
    business_name = serializers.CharField(allow_blank=True, required=False)
    description = serializers.CharField(
        allow_blank=True, required=False, trim_whitespace=False, help_text="Markdown."
    )
    glossary_terms = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Every term the column carries (replaces the current list).",
    )


class AssetRevisionSerializer(ReadOnlyModelSerializer):
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    changes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AssetRevision
        fields = ["revision", "reason", "changes", "created_by", "run", "created_at"]


class AssetRevisionDetailSerializer(AssetRevisionSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="The asset as it was then.")

    class Meta(AssetRevisionSerializer.Meta):
        fields = [*AssetRevisionSerializer.Meta.fields, "snapshot"]


# The API says "prediction" where the code and the pages say "suggestion": the two words
# name the same thing. The paths (``/assets/{id}/predictions/``), the field
# ``proposed_prediction_count``, the revision reason PREDICTION and these components'
# names are what clients have always used, so they stay; the descriptions say so.


@extend_schema_serializer(component_name="Prediction")
class SuggestionSerializer(ReadOnlyModelSerializer):
    """A suggestion waiting for, or given, a person's decision: a business name for the
    asset or a column (BUSINESS_NAME), or a glossary term that matches its name
    (GLOSSARY_TERM). A prediction is what the portal's pages call a suggestion: the API
    keeps the word it has always used."""

    glossary_term = serializers.UUIDField(
        source="glossary_term_id",
        read_only=True,
        allow_null=True,
        help_text="For GLOSSARY_TERM suggestions: the term (``value`` is its name).",
    )
    column = serializers.CharField(
        source="column.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The column's name; null for the asset's own business name.",
    )

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "column",
            "kind",
            "value",
            "glossary_term",
            "status",
            "decided_at",
            "created_at",
        ]


@extend_schema_serializer(component_name="PredictionsAccepted")
class SuggestionsAcceptedSerializer(serializers.Serializer):
    """What accepting every proposed suggestion (prediction) did."""

    accepted = serializers.IntegerField(help_text="How many suggestions were accepted.")
    current_revision = serializers.IntegerField(help_text="The asset's revision afterwards.")


@extend_schema_serializer(component_name="PredictionsRejected")
class SuggestionsRejectedSerializer(serializers.Serializer):
    """What rejecting every proposed suggestion (prediction) did."""

    rejected = serializers.IntegerField(help_text="How many suggestions were rejected.")
