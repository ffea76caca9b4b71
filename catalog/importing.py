"""The import of a data source's tables into its project's inventory (one run).

The listing is read completely first, so a source that cannot be listed fails the run
without writing anything. Tables are then processed in batches, each in one transaction
with a constant number of queries however many columns the tables have: upserts in bulk,
a revision only where the technical metadata's hash changed, business metadata kept.
Tables that disappeared from the source are archived at the end.
"""

import logging
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .business_names import business_name
from .choices import ActivityStatus, PredictionKind, RevisionReason, RunErrorType, RunStatus
from .models import Asset, AssetColumn, AssetRevision, DataSourceRun, Prediction, RunActivity
from .snapshots import asset_snapshot, technical_changes
from .sources import MalformedTable, SourceError, list_tables, raw_table_name, table_matches

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class BatchCounts:
    processed: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    failed: int = 0
    activities: list = field(default_factory=list)

    def add(self, status: str, table: str, asset_id=None, message: str = ""):
        self.activities.append((table, status, asset_id, message))
        attribute = {
            ActivityStatus.SUCCEEDED_CREATED: "added",
            ActivityStatus.SUCCEEDED_UPDATED: "updated",
            ActivityStatus.UNCHANGED: "unchanged",
            ActivityStatus.SKIPPED_ARCHIVED: "archived",
            ActivityStatus.FAILED: "failed",
        }[status]
        setattr(self, attribute, getattr(self, attribute) + 1)


def execute_run(run_id) -> str:
    """Carry out a REQUESTED run. Returns its final status (or why it did nothing)."""
    now = timezone.now()
    moved = DataSourceRun.objects.filter(pk=run_id, status=RunStatus.REQUESTED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, updated_at=now
    )
    if not moved:
        return "skipped"
    run = DataSourceRun.objects.select_related(
        "data_source",
        "data_source__project",
        "data_source__environment__profile__aws_account",
    ).get(pk=run_id)
    source = run.data_source
    try:
        raw_tables, convert = list_tables(source)
    except SourceError as error:
        return _finish(run, RunStatus.FAILED, error.error_type, error.message)
    except Exception as error:  # an unforeseen failure still ends the run with a message
        logger.exception("Listing data source %s failed", source.pk)
        return _finish(
            run, RunStatus.FAILED, RunErrorType.INTERNAL, f"{type(error).__name__}: {error}"
        )

    seen_names = {raw_table_name(raw) for raw in raw_tables}
    matched = [
        raw for raw in raw_tables if table_matches(raw_table_name(raw), source.filter_expressions)
    ]
    DataSourceRun.objects.filter(pk=run.pk).update(total=len(matched), updated_at=timezone.now())
    try:
        importer = Importer(run)
        for start in range(0, len(matched), BATCH_SIZE):
            importer.import_batch(matched[start : start + BATCH_SIZE], convert)
        importer.archive_missing(seen_names)
    except Exception as error:
        logger.exception("Import run %s failed", run.pk)
        return _finish(
            run,
            RunStatus.FAILED,
            RunErrorType.INTERNAL,
            f"The import stopped on an unexpected error ({type(error).__name__}: {error}). "
            "Tables processed before it are kept; run again.",
        )
    run.refresh_from_db(fields=["failed", "processed"])
    if run.failed:
        return _finish(
            run,
            RunStatus.PARTIALLY_SUCCEEDED,
            "",
            f"{run.failed} of {run.processed} tables could not be imported; see the activities.",
        )
    return _finish(run, RunStatus.SUCCESS, "", "")


def _finish(run, status, error_type, message) -> str:
    now = timezone.now()
    DataSourceRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
        status=status,
        error_type=error_type or "",
        error_message=message,
        finished_at=now,
        heartbeat_at=now,
        updated_at=now,
    )
    return status


class Importer:
    """Upserts one run's tables batch by batch."""

    def __init__(self, run):
        self.run = run
        self.source = run.data_source
        self.project = self.source.project
        self.domain_id = self.project.domain_id

    # --- one batch ------------------------------------------------------------------

    def import_batch(self, raw_tables: list[dict], convert) -> None:
        counts = BatchCounts()
        tables = []
        for raw in raw_tables:
            try:
                tables.append(convert(raw))
            except MalformedTable as error:
                counts.add(
                    ActivityStatus.FAILED, raw_table_name(raw) or "(unnamed)", message=str(error)
                )
            except Exception as error:  # noqa: BLE001 - one bad record must not stop the run
                counts.add(
                    ActivityStatus.FAILED,
                    raw_table_name(raw) or "(unnamed)",
                    message=f"Unreadable table metadata ({type(error).__name__}: {error}).",
                )
        with transaction.atomic():
            self._upsert(tables, counts)
            self._record(counts, processed=len(raw_tables))

    def _upsert(self, tables, counts: BatchCounts) -> None:
        now = timezone.now()
        existing = {
            asset.external_identifier: asset
            for asset in Asset.objects.filter(
                domain_id=self.domain_id,
                external_identifier__in=[t.external_identifier for t in tables],
            ).select_related("project")
        }
        new_tables, changed, unchanged = [], [], []
        for table in tables:
            asset = existing.get(table.external_identifier)
            if asset is None:
                new_tables.append(table)
            elif asset.project_id != self.project.pk:
                counts.add(
                    ActivityStatus.FAILED,
                    table.name,
                    message=f"This table is already in the inventory of project "
                    f"'{asset.project.name}'; a table belongs to one project per domain.",
                )
            elif asset.content_hash != table.content_hash or asset.archived_at is not None:
                changed.append((asset, table))
            else:
                unchanged.append((asset, table))

        self._create(new_tables, counts, now)
        self._update(changed, counts, now)
        reattach = [a.pk for a, _ in unchanged if a.data_source_id != self.source.pk]
        if reattach:
            Asset.objects.filter(pk__in=reattach).update(data_source=self.source, updated_at=now)
        for asset, table in unchanged:
            counts.add(ActivityStatus.UNCHANGED, table.name, asset.pk)

    def _new_asset(self, table, now) -> Asset:
        return Asset(
            id=uuid.uuid4(),
            domain_id=self.domain_id,
            project=self.project,
            data_source=self.source,
            type=table.type,
            external_identifier=table.external_identifier,
            technical_name=table.name,
            database_name=table.database,
            schema_name=table.schema,
            technical_metadata=table.metadata,
            content_hash=table.content_hash,
            current_revision=1,
            source_updated_at=table.updated_at,
            created_at=now,
            updated_at=now,
        )

    @staticmethod
    def _new_column(asset, column) -> AssetColumn:
        return AssetColumn(
            asset=asset,
            name=column.name,
            data_type=column.data_type,
            position=column.position,
            is_partition_key=column.is_partition_key,
            source_comment=column.comment,
        )

    def _create(self, tables, counts: BatchCounts, now) -> None:
        if not tables:
            return
        assets = [self._new_asset(t, now) for t in tables]
        Asset.objects.bulk_create(assets)
        columns_by_asset = {
            asset.pk: [self._new_column(asset, c) for c in table.columns]
            for asset, table in zip(assets, tables, strict=True)
        }
        AssetColumn.objects.bulk_create([c for cs in columns_by_asset.values() for c in cs])
        where = (
            self.source.schema
            and f"{self.source.database}.{self.source.schema}"
            or self.source.database
        )
        AssetRevision.objects.bulk_create(
            AssetRevision(
                asset=asset,
                revision=1,
                reason=RevisionReason.IMPORT,
                snapshot=asset_snapshot(asset, columns_by_asset[asset.pk]),
                changes=[f"Imported from {self.source.get_type_display()} {where}"],
                run=self.run,
            )
            for asset in assets
        )
        if self.source.generate_business_names:
            self._predict(
                [(asset, None, asset.technical_name) for asset in assets]
                + [(c.asset, c, c.name) for cs in columns_by_asset.values() for c in cs]
            )
        for asset, table in zip(assets, tables, strict=True):
            counts.add(ActivityStatus.SUCCEEDED_CREATED, table.name, asset.pk)

    def _update(self, pairs, counts: BatchCounts, now) -> None:
        if not pairs:
            return
        asset_ids = [asset.pk for asset, _ in pairs]
        old_columns: dict = {pk: [] for pk in asset_ids}
        for column in AssetColumn.objects.filter(asset_id__in=asset_ids):
            old_columns[column.asset_id].append(column)

        to_create, to_update, to_delete, revisions, new_columns_for_prediction = [], [], [], [], []
        for asset, table in pairs:
            olds = {c.name: c for c in old_columns[asset.pk]}
            if asset.content_hash == table.content_hash:
                changes = ["Restored: the table is back in the source"]
            else:
                changes = technical_changes(asset, table, old_columns[asset.pk], table.columns)
                if asset.archived_at is not None:
                    changes.insert(0, "Restored: the table is back in the source")
            current = []
            for source_column in table.columns:
                column = olds.pop(source_column.name, None)
                if column is None:
                    column = self._new_column(asset, source_column)
                    to_create.append(column)
                    new_columns_for_prediction.append(column)
                else:
                    column.data_type = source_column.data_type
                    column.position = source_column.position
                    column.is_partition_key = source_column.is_partition_key
                    column.source_comment = source_column.comment
                    to_update.append(column)
                current.append(column)
            to_delete.extend(c.pk for c in olds.values())
            asset.type = table.type
            asset.technical_metadata = table.metadata
            asset.content_hash = table.content_hash
            asset.source_updated_at = table.updated_at
            asset.archived_at = None
            asset.data_source = self.source
            asset.current_revision += 1
            asset.updated_at = now
            revisions.append(
                AssetRevision(
                    asset=asset,
                    revision=asset.current_revision,
                    reason=RevisionReason.IMPORT,
                    snapshot=asset_snapshot(asset, current),
                    changes=changes,
                    run=self.run,
                )
            )
            counts.add(ActivityStatus.SUCCEEDED_UPDATED, table.name, asset.pk, "; ".join(changes))

        if to_delete:
            AssetColumn.objects.filter(pk__in=to_delete).delete()
        if to_update:
            AssetColumn.objects.bulk_update(
                to_update,
                ["data_type", "position", "is_partition_key", "source_comment"],
                batch_size=2000,
            )
        AssetColumn.objects.bulk_create(to_create)
        Asset.objects.bulk_update(
            [asset for asset, _ in pairs],
            [
                "type",
                "technical_metadata",
                "content_hash",
                "source_updated_at",
                "archived_at",
                "data_source",
                "current_revision",
                "updated_at",
            ],
        )
        AssetRevision.objects.bulk_create(revisions)
        if self.source.generate_business_names and new_columns_for_prediction:
            self._predict([(c.asset, c, c.name) for c in new_columns_for_prediction])

    def _predict(self, targets) -> None:
        """PROPOSED business names for assets and columns that have none yet."""
        Prediction.objects.bulk_create(
            [
                Prediction(
                    asset=asset,
                    column=column,
                    kind=PredictionKind.BUSINESS_NAME,
                    value=predicted,
                )
                for asset, column, name in targets
                if (predicted := business_name(name))
                and not (column.business_name if column is not None else asset.business_name)
            ],
            ignore_conflicts=True,
        )

    def _record(self, counts: BatchCounts, *, processed: int) -> None:
        RunActivity.objects.bulk_create(
            RunActivity(
                run=self.run,
                table_name=table[:255],
                status=status,
                asset_id=asset_id,
                message=message,
            )
            for table, status, asset_id, message in counts.activities
        )
        now = timezone.now()
        DataSourceRun.objects.filter(pk=self.run.pk).update(
            processed=F("processed") + processed,
            added=F("added") + counts.added,
            updated=F("updated") + counts.updated,
            unchanged=F("unchanged") + counts.unchanged,
            archived=F("archived") + counts.archived,
            failed=F("failed") + counts.failed,
            heartbeat_at=now,
            updated_at=now,
        )

    # --- tables that left the source -------------------------------------------------

    def archive_missing(self, seen_names: set[str]) -> None:
        gone = list(
            Asset.objects.filter(data_source=self.source, archived_at__isnull=True)
            .exclude(technical_name__in=seen_names)
            .only("id", "technical_name")
        )
        if not gone:
            return
        counts = BatchCounts()
        now = timezone.now()
        with transaction.atomic():
            Asset.objects.filter(pk__in=[a.pk for a in gone]).update(
                archived_at=now, updated_at=now
            )
            for asset in gone:
                counts.add(
                    ActivityStatus.SKIPPED_ARCHIVED,
                    asset.technical_name,
                    asset.pk,
                    "The table is no longer in the source; the asset is archived, not deleted.",
                )
            self._record(counts, processed=0)
