"""Serializers of data sources and their runs."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from catalog.choices import DataSourceType, FilterType, RunErrorType
from catalog.models import (
    DataSource,
    DataSourceRun,
    RunActivity,
)
from meshportal.api.serializers import ReadOnlyModelSerializer
from projects import selectors as project_selectors
from projects.api.serializers import VisibleProjectField
from projects.models import Environment, Project


class FilterExpressionSerializer(serializers.Serializer):
    """A glob on table names: no INCLUDE means every table, and an EXCLUDE match wins."""

    type = serializers.ChoiceField(choices=FilterType.choices)
    expression = serializers.CharField(max_length=255, help_text="e.g. film_* or *")


class RunSummarySerializer(ReadOnlyModelSerializer):
    # A string, not a ChoiceField: the run's own serializer carries the enum.
    status = serializers.CharField(
        read_only=True,
        help_text="REQUESTED, RUNNING, SUCCESS, PARTIALLY_SUCCEEDED or FAILED.",
    )

    class Meta:
        model = DataSourceRun
        fields = ["id", "status", "finished_at"]


class DataSourceSerializer(ReadOnlyModelSerializer):
    """A data source with its asset count and its newest run.

    The newest run comes from the view's context (``latest_runs``: data source id → run,
    read in one query for a whole page), so a list costs the same for any number of rows.
    """

    project_name = serializers.CharField(source="project.name", read_only=True)
    domain = serializers.UUIDField(source="project.domain_id", read_only=True)
    # The model says database_name/schema_name (as Asset does); the API keeps its names.
    database = serializers.CharField(
        source="database_name",
        read_only=True,
        help_text="The Glue database (or Redshift database) imported from; the same as an "
        "asset's ``database_name``, under the name this field has always had.",
    )
    schema = serializers.CharField(
        source="schema_name",
        read_only=True,
        help_text="The Redshift schema (empty for GLUE); the same as an asset's "
        "``schema_name``, under the name this field has always had.",
    )
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
    # The API's names for the model's database_name/schema_name (the service's keywords).
    database = serializers.CharField(max_length=255, source="database_name")
    schema = serializers.CharField(
        source="schema_name",
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
    database = serializers.CharField(max_length=255, required=False, source="database_name")
    schema = serializers.CharField(
        max_length=127, allow_blank=True, required=False, source="schema_name"
    )
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


class DataSourceRunSerializer(ReadOnlyModelSerializer):
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


class RunConflictSerializer(serializers.Serializer):
    """409 when the source already has a run going: which run to follow instead."""

    detail = serializers.CharField()
    run = DataSourceRunSerializer()


class RunActivitySerializer(ReadOnlyModelSerializer):
    class Meta:
        model = RunActivity
        fields = ["id", "table_name", "asset", "status", "message", "created_at"]
