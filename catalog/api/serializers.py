"""Serializers of the catalog API.

Output serializers turn rows (as the selectors return them, annotations included) into
JSON; input serializers only check the shape of a request. Neither writes: the views pass
validated data to the services, which decide and save.

drf-spectacular names an enum after its field (``type``, ``status``). Several catalog
models have a ``type`` or a ``status`` with different choices, so each choice set must
appear in one schema component only, or the schema warns about a naming collision.
Hence the input serializers of a data source share the output's component name (they
become ``DataSourceRequest`` and ``PatchedDataSourceRequest``), and summaries repeat an
enum as a plain string (as ``ProjectSerializer.my_designation`` does).
"""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.choices import DataSourceType, FilterType, ListingStatus, RunErrorType
from catalog.models import (
    Asset,
    AssetColumn,
    AssetRevision,
    DataSource,
    DataSourceRun,
    Listing,
    Prediction,
    RunActivity,
)
from glossary.api.serializers import NamedRefSerializer
from meshportal.markdown import render_markdown
from projects import selectors as project_selectors
from projects.api.serializers import VisibleProjectField
from projects.models import Environment, Project

# --- Data sources -----------------------------------------------------------------------


class FilterExpressionSerializer(serializers.Serializer):
    """A glob on table names: no INCLUDE means every table, and an EXCLUDE match wins."""

    type = serializers.ChoiceField(choices=FilterType.choices)
    expression = serializers.CharField(max_length=255, help_text="e.g. film_* or *")


class RunSummarySerializer(serializers.ModelSerializer):
    # A string, not a ChoiceField: the run's own serializer carries the enum.
    status = serializers.CharField(
        read_only=True,
        help_text="REQUESTED, RUNNING, SUCCESS, PARTIALLY_SUCCEEDED or FAILED.",
    )

    class Meta:
        model = DataSourceRun
        fields = ["id", "status", "finished_at"]
        read_only_fields = fields


class DataSourceSerializer(serializers.ModelSerializer):
    """A data source with its asset count and its newest run.

    The newest run comes from the view's context (``latest_runs``: data source id → run,
    read in one query for a whole page), so a list costs the same for any number of rows.
    """

    project_name = serializers.CharField(source="project.name", read_only=True)
    domain = serializers.UUIDField(source="project.domain_id", read_only=True)
    environment_name = serializers.CharField(source="environment.name", read_only=True)
    filter_expressions = FilterExpressionSerializer(many=True, read_only=True)
    asset_count = serializers.IntegerField(
        read_only=True, help_text="Assets of this source that are not archived."
    )
    latest_run = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    default_form_types = serializers.ListField(
        child=serializers.UUIDField(),
        source="default_form_type_ids",
        read_only=True,
        help_text="Metadata forms (form type ids) applied, empty, to every asset it imports.",
    )

    class Meta:
        model = DataSource
        fields = [
            "id",
            "project",
            "project_name",
            "domain",
            "environment",
            "environment_name",
            "name",
            "description",
            "type",
            "database",
            "schema",
            "filter_expressions",
            "schedule",
            "schedule_timezone",
            "next_run_at",
            "enabled",
            "publish_on_import",
            "generate_business_names",
            "default_form_types",
            "asset_count",
            "latest_run",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RunSummarySerializer(allow_null=True))
    def get_latest_run(self, data_source):
        """The newest run (null before the first one)."""
        run = self.context.get("latest_runs", {}).get(data_source.pk)
        return RunSummarySerializer(run).data if run is not None else None


@extend_schema_field(FilterExpressionSerializer(many=True))
class FilterExpressionsField(serializers.JSONField):
    """Passed to the service as given: it checks each filter and names the bad one
    ("Filter 2: type must be INCLUDE or EXCLUDE.") under ``filter_expressions``."""


class VisibleEnvironmentField(serializers.PrimaryKeyRelatedField):
    """An environment of a project the user can see. Whether it belongs to the data
    source's project (and fits its type) is the service's decision, which names the field."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Environment.objects.none()
        return project_selectors.environment_list(user=request.user)


@extend_schema_serializer(component_name="DataSource")
class DataSourceCreateSerializer(serializers.Serializer):
    project = VisibleProjectField(queryset=Project.objects.none())
    environment = VisibleEnvironmentField(
        queryset=Environment.objects.none(),
        help_text="An environment of the project: DATA_LAKE for GLUE, DATA_WAREHOUSE for REDSHIFT.",
    )
    name = serializers.CharField(max_length=256)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    type = serializers.ChoiceField(choices=DataSourceType.choices)
    database = serializers.CharField(max_length=255)
    schema = serializers.CharField(
        max_length=127,
        allow_blank=True,
        required=False,
        default="",
        help_text="The Redshift schema (required for REDSHIFT).",
    )
    filter_expressions = FilterExpressionsField(required=False, default=list)
    schedule = serializers.CharField(
        max_length=128,
        allow_blank=True,
        required=False,
        default="",
        help_text="Cron expression of five fields, e.g. '0 2 * * *'; empty runs on demand only.",
    )
    schedule_timezone = serializers.CharField(
        max_length=64, required=False, default="UTC", help_text="e.g. Europe/Paris."
    )
    enabled = serializers.BooleanField(required=False, default=True)
    publish_on_import = serializers.BooleanField(required=False, default=False)
    generate_business_names = serializers.BooleanField(required=False, default=True)
    default_form_types = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Ids of metadata forms of the project's domain, applied (empty, to fill "
        "in) to every asset the source imports.",
    )


@extend_schema_serializer(component_name="DataSource")
class DataSourceUpdateSerializer(serializers.Serializer):
    """Everything but the project, which a data source never leaves."""

    environment = VisibleEnvironmentField(queryset=Environment.objects.none(), required=False)
    name = serializers.CharField(max_length=256, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    type = serializers.ChoiceField(choices=DataSourceType.choices, required=False)
    database = serializers.CharField(max_length=255, required=False)
    schema = serializers.CharField(max_length=127, allow_blank=True, required=False)
    filter_expressions = FilterExpressionsField(required=False)
    schedule = serializers.CharField(max_length=128, allow_blank=True, required=False)
    schedule_timezone = serializers.CharField(max_length=64, required=False)
    enabled = serializers.BooleanField(required=False)
    publish_on_import = serializers.BooleanField(required=False)
    generate_business_names = serializers.BooleanField(required=False)
    default_form_types = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Ids of metadata forms of the project's domain, applied (empty, to fill "
        "in) to every asset the source imports.",
    )


# --- Runs ---------------------------------------------------------------------------------


class DataSourceRunSerializer(serializers.ModelSerializer):
    data_source_name = serializers.CharField(source="data_source.name", read_only=True)
    error_type = serializers.ChoiceField(
        choices=RunErrorType.choices,
        allow_blank=True,
        read_only=True,
        help_text='Empty ("") while the run has no error.',
    )
    project = serializers.UUIDField(source="data_source.project_id", read_only=True)
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = DataSourceRun
        fields = [
            "id",
            "data_source",
            "data_source_name",
            "project",
            "type",
            "status",
            "total",
            "processed",
            "added",
            "updated",
            "unchanged",
            "archived",
            "failed",
            "progress_percent",
            "error_type",
            "error_message",
            "requested_by",
            "scheduled_for",
            "started_at",
            "finished_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RunConflictSerializer(serializers.Serializer):
    """409 when the source already has a run going: which run to follow instead."""

    detail = serializers.CharField()
    run = DataSourceRunSerializer()


class RunActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = RunActivity
        fields = ["id", "table_name", "asset", "status", "message", "created_at"]
        read_only_fields = fields


# --- Assets -------------------------------------------------------------------------------

ASSET_TYPE_HELP = "GLUE_TABLE, GLUE_VIEW, REDSHIFT_TABLE or REDSHIFT_VIEW."


class AssetSerializer(serializers.ModelSerializer):
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
        read_only_fields = fields


class AttachedTermSerializer(serializers.Serializer):
    """A glossary term on an asset or a column: its id (what a PATCH sends back), its
    name and the name of its glossary. Reads terms and their snapshots (listings) alike."""

    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)
    glossary = serializers.CharField(read_only=True, help_text="The glossary's name.")


class AssetColumnSerializer(serializers.ModelSerializer):
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
        read_only_fields = fields


@extend_schema_field(
    {"type": "string", "enum": ListingStatus.values}, component_name="ListingStatusEnum"
)
class ListingStatusField(serializers.ChoiceField):
    """ACTIVE or INACTIVE, one named enum for every listing shape (several catalog
    models have a ``status`` of their own)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ListingStatus.choices, **kwargs)


class ListingSummarySerializer(serializers.ModelSerializer):
    """The asset's listing as the producer follows it from the asset."""

    status = ListingStatusField(read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "status", "revision", "approval_required", "published_at"]
        read_only_fields = fields


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


class AssetDetailSerializer(serializers.ModelSerializer):
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
    proposed_prediction_count = serializers.IntegerField(read_only=True)

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
        read_only_fields = fields

    def get_description_html(self, asset) -> str:
        """The Markdown description rendered and sanitised (no scripts, no javascript:)."""
        return str(render_markdown(asset.description))

    def get_unpublished_changes(self, asset) -> bool:
        """True when the asset is published (ACTIVE) and was edited since."""
        listing = asset.published_listing
        return (
            listing is not None
            and listing.status == ListingStatus.ACTIVE
            and asset.current_revision > listing.revision
        )


# --- Editing assets -----------------------------------------------------------------------


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


# --- Publishing and listings --------------------------------------------------------------


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


class ListingSerializer(serializers.ModelSerializer):
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
        read_only_fields = fields


class ListingDetailSerializer(serializers.ModelSerializer):
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
        read_only_fields = fields

    def get_description_html(self, listing) -> str:
        """The published description rendered and sanitised."""
        return str(render_markdown(listing.snapshot.get("description")))


class AssetRevisionSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    changes = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = AssetRevision
        fields = ["revision", "reason", "changes", "created_by", "run", "created_at"]
        read_only_fields = fields


class AssetRevisionDetailSerializer(AssetRevisionSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="The asset as it was then.")

    class Meta(AssetRevisionSerializer.Meta):
        fields = [*AssetRevisionSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class PredictionSerializer(serializers.ModelSerializer):
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
        model = Prediction
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
        read_only_fields = fields


class PredictionsAcceptedSerializer(serializers.Serializer):
    accepted = serializers.IntegerField(help_text="How many suggestions were accepted.")
    current_revision = serializers.IntegerField(help_text="The asset's revision afterwards.")


class PredictionsRejectedSerializer(serializers.Serializer):
    rejected = serializers.IntegerField(help_text="How many suggestions were rejected.")
