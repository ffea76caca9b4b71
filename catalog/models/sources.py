"""Data sources and the runs that import their tables into a project's inventory."""

from django.db import models
from django.db.models import Q

from glossary.models import FormType
from meshportal.models import BaseModel, user_reference
from projects.models import Environment, Project

from ..choices import ActivityStatus, DataSourceType, RunErrorType, RunStatus, RunType


class DataSource(BaseModel):
    """Where a project's tables come from: a Glue database or a Redshift schema.

    ``filter_expressions`` is a list of ``{"type": "INCLUDE"|"EXCLUDE", "expression": glob}``
    matched against table names: no INCLUDE means every table, and EXCLUDE wins.
    ``next_run_at`` is derived from the cron schedule; beat starts a SCHEDULED run when it
    has passed.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="data_sources")
    environment = models.ForeignKey(
        Environment, on_delete=models.PROTECT, related_name="data_sources"
    )
    name = models.CharField(max_length=256)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=16, choices=DataSourceType.choices)
    # The same names as Asset's: the Glue database (or Redshift database and schema) read.
    database_name = models.CharField(max_length=255)
    schema_name = models.CharField(max_length=127, blank=True)
    filter_expressions = models.JSONField(default=list, blank=True)
    schedule = models.CharField(
        max_length=128, blank=True, help_text="Cron expression; empty runs on demand only."
    )
    schedule_timezone = models.CharField(max_length=64, default="UTC")
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    enabled = models.BooleanField(default=True)
    publish_on_import = models.BooleanField(default=False)
    generate_business_names = models.BooleanField(default=True)
    default_form_types = models.ManyToManyField(
        FormType,
        blank=True,
        related_name="+",
        help_text="Forms applied (empty, to fill in) to every asset this source imports.",
    )
    created_by = user_reference()

    class Meta:
        ordering = ["project__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="datasource_unique_name")
        ]

    def __str__(self):
        return self.name


class DataSourceRun(BaseModel):
    """One import of a data source: its state, counts and outcome.

    At most one run per source is REQUESTED or RUNNING (a partial unique index), and a
    scheduled slot yields at most one run (unique ``scheduled_for``), so neither a double
    click nor two beat processes start the same work twice.
    """

    data_source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="runs")
    type = models.CharField(max_length=16, choices=RunType.choices)
    status = models.CharField(max_length=24, choices=RunStatus.choices, default=RunStatus.REQUESTED)
    requested_by = user_reference()
    scheduled_for = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error_type = models.CharField(max_length=24, choices=RunErrorType.choices, blank=True)
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_source"],
                condition=Q(status__in=["REQUESTED", "RUNNING"]),
                name="datasourcerun_one_active_per_source",
            ),
            models.UniqueConstraint(
                fields=["data_source", "scheduled_for"],
                condition=Q(scheduled_for__isnull=False),
                name="datasourcerun_one_per_scheduled_slot",
            ),
        ]
        indexes = [models.Index(fields=["data_source", "-created_at"])]

    def __str__(self):
        return f"{self.data_source} run {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in RunStatus.active()

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.finished_at else 0
        return min(100, round(100 * self.processed / self.total))


class RunActivity(models.Model):
    """What a run did with one table. Many per run, written in bulk (no UUID, no updated_at)."""

    run = models.ForeignKey(DataSourceRun, on_delete=models.CASCADE, related_name="activities")
    table_name = models.CharField(max_length=255)
    asset = models.ForeignKey(
        "catalog.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=24, choices=ActivityStatus.choices)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name_plural = "run activities"

    def __str__(self):
        return f"{self.table_name}: {self.status}"
