"""Inventory assets: a project's tables with their technical and business metadata."""

from django.db import models
from django.db.models import Q

from glossary.models import FormField, FormType, GlossaryTerm
from meshportal.models import BaseModel, user_reference
from projects.models import Domain, Project

from ..choices import AssetType, RevisionReason, SuggestionKind, SuggestionStatus


class Asset(BaseModel):
    """A table or view in a project's inventory.

    Technical metadata comes from the source and is replaced by every import; business
    metadata (business name, description, later terms and forms) belongs to the producer
    and survives re-imports. ``content_hash`` covers the technical metadata only, so an
    import writes a revision exactly when the source changed. ``external_identifier`` is
    the table's ARN (Glue) or ``redshift://host/database/schema/table``, unique per domain
    so that two projects cannot both claim one table.
    """

    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="assets")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assets")
    data_source = models.ForeignKey(
        "catalog.DataSource",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
        help_text="Empty when the data source was deleted: the asset stays, detached.",
    )
    type = models.CharField(max_length=16, choices=AssetType.choices)
    external_identifier = models.CharField(max_length=1024)
    technical_name = models.CharField(max_length=255)
    database_name = models.CharField(max_length=255)
    schema_name = models.CharField(max_length=127, blank=True)
    business_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    technical_metadata = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64)
    current_revision = models.PositiveIntegerField(default=1)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    glossary_terms = models.ManyToManyField(GlossaryTerm, blank=True, related_name="assets")

    class Meta:
        ordering = ["technical_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "external_identifier"], name="asset_unique_identifier_in_domain"
            )
        ]
        indexes = [
            models.Index(fields=["project", "technical_name"]),
            models.Index(fields=["data_source", "archived_at"]),
        ]

    def __str__(self):
        return self.business_name or self.technical_name

    @property
    def display_name(self) -> str:
        return self.business_name or self.technical_name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class AssetColumn(models.Model):
    """A column of an asset. Matched by name across imports so business metadata stays."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(max_length=255)
    data_type = models.TextField()
    position = models.PositiveIntegerField()
    is_partition_key = models.BooleanField(default=False)
    source_comment = models.TextField(blank=True)
    business_name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    glossary_terms = models.ManyToManyField(GlossaryTerm, blank=True, related_name="asset_columns")

    class Meta:
        ordering = ["asset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="assetcolumn_unique_name")
        ]

    def __str__(self):
        return self.name


class AssetRevision(models.Model):
    """A numbered, full snapshot of an asset, with who changed what and why."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    reason = models.CharField(max_length=16, choices=RevisionReason.choices)
    snapshot = models.JSONField()
    changes = models.JSONField(
        default=list, blank=True, help_text="What changed, as a list of human-readable lines."
    )
    created_by = user_reference()
    run = models.ForeignKey(
        "catalog.DataSourceRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "revision"], name="assetrevision_unique")
        ]

    def __str__(self):
        return f"{self.asset} r{self.revision}"


class AssetFormQuerySet(models.QuerySet):
    def with_fields(self):
        """The one definition of "an asset's forms with their fields in order": each
        form's type joined, its fields prefetched by ``order``, forms by type name (three
        queries for any number of forms and fields)."""
        return (
            self.select_related("form_type")
            .prefetch_related(
                models.Prefetch("form_type__fields", queryset=FormField.objects.order_by("order"))
            )
            .order_by("form_type__name")
        )


class AssetForm(BaseModel):
    """The values of one metadata form on one asset.

    ``form_revision`` is the form type's revision the values were filled under: fields
    added later show empty, fields removed later still show their old value.
    """

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="forms")
    form_type = models.ForeignKey(FormType, on_delete=models.PROTECT, related_name="asset_forms")
    form_revision = models.PositiveIntegerField(default=1)
    values = models.JSONField(default=dict, blank=True)

    objects = AssetFormQuerySet.as_manager()

    class Meta:
        ordering = ["asset", "form_type__name"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "form_type"], name="assetform_unique")
        ]

    def __str__(self):
        return f"{self.form_type} on {self.asset}"


class Suggestion(BaseModel):
    """A suggestion waiting for a person's decision: a business name for the asset or a
    column, or a glossary term that matches its name. (Not the search box's suggestions,
    which are listings and terms found as a person types: ``catalog.views.suggest``.) The
    API calls these predictions (catalog/api/serializers/assets.py says why)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="suggestions")
    column = models.ForeignKey(
        AssetColumn, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    kind = models.CharField(max_length=16, choices=SuggestionKind.choices)
    value = models.CharField(max_length=255)
    glossary_term = models.ForeignKey(
        GlossaryTerm, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.PROPOSED
    )
    decided_by = user_reference()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asset", "column__position", "kind"]
        constraints = [
            # One open business-name suggestion per asset and per column …
            models.UniqueConstraint(
                fields=["asset"],
                condition=Q(column__isnull=True, status="PROPOSED", kind="BUSINESS_NAME"),
                name="suggestion_one_open_name_per_asset",
            ),
            models.UniqueConstraint(
                fields=["column"],
                condition=Q(column__isnull=False, status="PROPOSED", kind="BUSINESS_NAME"),
                name="suggestion_one_open_name_per_column",
            ),
            # … and one suggestion ever of a given term for the asset or a column, so a
            # rejected term is not proposed again by the next import.
            models.UniqueConstraint(
                fields=["asset", "glossary_term"],
                condition=Q(column__isnull=True, kind="GLOSSARY_TERM"),
                name="suggestion_term_once_per_asset",
            ),
            models.UniqueConstraint(
                fields=["column", "glossary_term"],
                condition=Q(column__isnull=False, kind="GLOSSARY_TERM"),
                name="suggestion_term_once_per_column",
            ),
            models.CheckConstraint(
                condition=Q(kind="GLOSSARY_TERM", glossary_term__isnull=False)
                | Q(kind="BUSINESS_NAME", glossary_term__isnull=True),
                name="suggestion_term_only_for_term_kind",
            ),
        ]

    def __str__(self):
        target = self.column.name if self.column_id else self.asset.technical_name
        return f"{self.kind} {self.value!r} for {target}"
