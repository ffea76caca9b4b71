"""Django admin for the catalog: mostly for looking, since imports write these rows."""

from django.contrib import admin

from .models import (
    Asset,
    AssetColumn,
    AssetRevision,
    DataSource,
    DataSourceRun,
    RunActivity,
    Suggestion,
)


@admin.register(DataSource)
class DataSourceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "project",
        "type",
        "database_name",
        "schema_name",
        "enabled",
        "schedule",
        "next_run_at",
    ]
    list_filter = ["type", "enabled"]
    list_select_related = ["project"]
    search_fields = ["name", "database_name", "project__name"]


class RunActivityInline(admin.TabularInline):
    model = RunActivity
    extra = 0
    can_delete = False
    readonly_fields = ["table_name", "status", "asset", "message"]
    show_change_link = False


@admin.register(DataSourceRun)
class DataSourceRunAdmin(admin.ModelAdmin):
    list_display = [
        "data_source",
        "type",
        "status",
        "total",
        "processed",
        "added",
        "updated",
        "failed",
        "created_at",
    ]
    list_filter = ["status", "type", "error_type"]
    list_select_related = ["data_source"]
    readonly_fields = ["heartbeat_at", "started_at", "finished_at"]


class AssetColumnInline(admin.TabularInline):
    model = AssetColumn
    extra = 0
    fields = ["position", "name", "data_type", "is_partition_key", "business_name", "description"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = [
        "technical_name",
        "business_name",
        "type",
        "project",
        "data_source",
        "current_revision",
        "archived_at",
    ]
    list_filter = ["type", "domain"]
    list_select_related = ["project", "data_source"]
    search_fields = ["technical_name", "business_name", "external_identifier"]
    inlines = [AssetColumnInline]


@admin.register(AssetRevision)
class AssetRevisionAdmin(admin.ModelAdmin):
    list_display = ["asset", "revision", "reason", "created_by", "created_at"]
    list_filter = ["reason"]
    list_select_related = ["asset", "created_by"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["asset", "column", "kind", "value", "status", "decided_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["asset", "column", "decided_by"]
