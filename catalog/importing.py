"""The import of a data source's tables into its project's inventory (one run).

The listing is read completely first, so a source that cannot be listed fails the run
without writing anything. Tables are then processed in batches, each in one transaction
with a constant number of queries however many columns the tables have: upserts in bulk,
a revision only where the technical metadata's hash changed, business metadata kept.
Tables that disappeared from the source are archived at the end.
"""

import json
import logging
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from projects.models import Project

from .business_names import business_name
from .choices import (
    ActivityStatus,
    PredictionKind,
    PredictionStatus,
    RevisionReason,
    RunErrorType,
    RunStatus,
)
from .models import Asset, AssetColumn, AssetRevision, DataSourceRun, Prediction, RunActivity
from .snapshots import asset_snapshot, source_column_snapshot, technical_changes
from .sources import MalformedTable, SourceError, list_tables, raw_table_name, table_matches

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

COLUMN_FIELDS = [
    "asset",
    "name",
    "data_type",
    "position",
    "is_partition_key",
    "source_comment",
    "business_name",
    "description",
]
SOURCE_COLUMN_FIELDS = ["data_type", "position", "is_partition_key", "source_comment"]
PREDICTION_FIELDS = ["id", "created_at", "updated_at", "asset", "column", "kind", "value", "status"]
REVISION_FIELDS = ["asset", "revision", "reason", "snapshot", "changes", "run", "created_at"]
ACTIVITY_FIELDS = ["run", "table_name", "status", "asset", "message", "created_at"]


# --- bulk statements with one array per column ---------------------------------------------
#
# A batch writes tens of thousands of column and prediction rows. Model instances and
# per-value preparation cost more than PostgreSQL takes to store the rows, so these
# statements send one typed array per column and let PostgreSQL ``unnest`` them: one
# query per statement whatever the number of rows, and no per-row Python objects.


def _array_type(model_field) -> str:
    db_type = model_field.db_type(connection)  # a foreign key has its target's type
    if db_type.startswith("varchar") or db_type == "text" or db_type == "jsonb":
        return "text[]"  # varchar(n) is checked on assignment, as with the ORM
    return f"{db_type}[]"


def _arrays(model, field_names, rows):
    fields = [model._meta.get_field(name) for name in field_names]
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in fields]
    params = []
    for model_field, values in zip(fields, columns, strict=True):
        if model_field.get_internal_type() == "JSONField":
            encoder = model_field.encoder
            values = [None if v is None else json.dumps(v, cls=encoder) for v in values]
        params.append(list(values))
    aliases = [f"c{i}" for i in range(len(fields))]
    unnest = ", ".join(f"%s::{_array_type(f)}" for f in fields)
    source = f"unnest({unnest}) AS u({', '.join(aliases)})"
    values = [
        f"u.{alias}::jsonb" if f.get_internal_type() == "JSONField" else f"u.{alias}"
        for alias, f in zip(aliases, fields, strict=True)
    ]
    return fields, source, values, params


def bulk_insert(model, field_names, rows, *, ignore_conflicts=False, returning=()):
    """INSERT ``rows`` (tuples in ``field_names`` order) in one statement.

    Values must be ready for the database (no defaults are applied). Returns the
    ``returning`` fields of the inserted rows.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    fields, source, values, params = _arrays(model, field_names, rows)
    # Identifiers come from the models' metadata; every value is a query parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(f.column) for f in fields)}) SELECT {', '.join(values)} FROM {source}"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(
            quote(model._meta.get_field(name).column) for name in returning
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []


def bulk_update_rows(model, field_names, rows) -> None:
    """UPDATE rows by primary key in one statement; ``rows`` are ``(pk, *values)``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = [model._meta.pk.name, *field_names]
    fields, source, values, params = _arrays(model, names, rows)
    assignments = ", ".join(
        f"{quote(f.column)} = {value}" for f, value in zip(fields[1:], values[1:], strict=True)
    )
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} FROM {source} "  # noqa: S608
        f"WHERE t.{quote(fields[0].column)} = {values[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
        where = self.source.database
        if self.source.schema:
            where = f"{where}.{self.source.schema}"
        self.imported_from = f"Imported from {self.source.get_type_display()} {where}"

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
        # What decides the table's fate only: the full rows are read for changed ones.
        existing = {
            row["external_identifier"]: row
            for row in Asset.objects.filter(
                domain_id=self.domain_id,
                external_identifier__in=[t.external_identifier for t in tables],
            ).values(
                "id",
                "external_identifier",
                "project_id",
                "data_source_id",
                "content_hash",
                "archived_at",
            )
        }
        new_tables, changed, unchanged, foreign = [], {}, [], []
        for table in tables:
            row = existing.get(table.external_identifier)
            if row is None:
                new_tables.append(table)
            elif row["project_id"] != self.project.pk:
                foreign.append((row, table))
            elif row["content_hash"] != table.content_hash or row["archived_at"] is not None:
                changed[row["id"]] = table
            else:
                unchanged.append((row, table))

        if foreign:
            owners = dict(
                Project.objects.filter(
                    pk__in={row["project_id"] for row, _ in foreign}
                ).values_list("pk", "name")
            )
            for row, table in foreign:
                counts.add(
                    ActivityStatus.FAILED,
                    table.name,
                    message=f"This table is already in the inventory of project "
                    f"'{owners.get(row['project_id'], '?')}'; a table belongs to one project "
                    "per domain.",
                )
        self._create(new_tables, counts, now)
        if changed:
            assets = Asset.objects.filter(pk__in=list(changed)).order_by()
            self._update([(asset, changed[asset.pk]) for asset in assets], counts, now)
        reattach = [row["id"] for row, _ in unchanged if row["data_source_id"] != self.source.pk]
        if reattach:
            Asset.objects.filter(pk__in=reattach).update(data_source=self.source, updated_at=now)
        for row, table in unchanged:
            counts.add(ActivityStatus.UNCHANGED, table.name, row["id"])

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
    def _column_row(asset_id, column) -> tuple:
        return (
            asset_id,
            column.name,
            column.data_type,
            column.position,
            column.is_partition_key,
            column.comment,
            "",
            "",
        )

    def _insert_columns(self, rows) -> dict:
        """Insert new columns; their ids by (asset id, name) when predictions need them."""
        returning = ("id", "asset", "name") if self.source.generate_business_names else ()
        inserted = bulk_insert(AssetColumn, COLUMN_FIELDS, rows, returning=returning)
        return {(asset_id, name): pk for pk, asset_id, name in inserted}

    def _create(self, tables, counts: BatchCounts, now) -> None:
        if not tables:
            return
        assets = [self._new_asset(t, now) for t in tables]
        Asset.objects.bulk_create(assets)
        column_ids = self._insert_columns(
            [
                self._column_row(asset.pk, column)
                for asset, table in zip(assets, tables, strict=True)
                for column in table.columns
            ]
        )
        bulk_insert(
            AssetRevision,
            REVISION_FIELDS,
            [
                (
                    asset.pk,
                    1,
                    RevisionReason.IMPORT,
                    asset_snapshot(asset, [source_column_snapshot(c) for c in table.columns]),
                    [self.imported_from],
                    self.run.pk,
                    now,
                )
                for asset, table in zip(assets, tables, strict=True)
            ],
        )
        if self.source.generate_business_names:
            self._predict(
                [(asset.pk, None, asset.technical_name) for asset in assets]
                + [
                    (asset.pk, column_ids[asset.pk, column.name], column.name)
                    for asset, table in zip(assets, tables, strict=True)
                    for column in table.columns
                ],
                now,
            )
        for asset, table in zip(assets, tables, strict=True):
            counts.add(ActivityStatus.SUCCEEDED_CREATED, table.name, asset.pk)

    def _update(self, pairs, counts: BatchCounts, now) -> None:
        asset_ids = [asset.pk for asset, _ in pairs]
        old_columns: dict = {pk: [] for pk in asset_ids}
        for column in AssetColumn.objects.filter(asset_id__in=asset_ids).order_by():
            old_columns[column.asset_id].append(column)

        to_create, to_update, to_delete, revisions = [], [], [], []
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
                    to_create.append(self._column_row(asset.pk, source_column))
                    current.append(source_column_snapshot(source_column))
                    continue
                column.data_type = source_column.data_type
                column.position = source_column.position
                column.is_partition_key = source_column.is_partition_key
                column.source_comment = source_column.comment
                to_update.append(
                    (
                        column.pk,
                        column.data_type,
                        column.position,
                        column.is_partition_key,
                        column.source_comment,
                    )
                )
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
                (
                    asset.pk,
                    asset.current_revision,
                    RevisionReason.IMPORT,
                    asset_snapshot(asset, current),
                    changes,
                    self.run.pk,
                    now,
                )
            )
            counts.add(ActivityStatus.SUCCEEDED_UPDATED, table.name, asset.pk, "; ".join(changes))

        if to_delete:
            AssetColumn.objects.filter(pk__in=to_delete).delete()
        bulk_update_rows(AssetColumn, SOURCE_COLUMN_FIELDS, to_update)
        column_ids = self._insert_columns(to_create)
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
        bulk_insert(AssetRevision, REVISION_FIELDS, revisions)
        if self.source.generate_business_names and to_create:
            # Only columns new to the asset: the others were proposed (or named) before.
            self._predict([(row[0], column_ids[row[0], row[1]], row[1]) for row in to_create], now)

    def _predict(self, targets, now) -> None:
        """PROPOSED business names for new assets and columns (which have none yet)."""
        bulk_insert(
            Prediction,
            PREDICTION_FIELDS,
            [
                (
                    uuid.uuid4(),
                    now,
                    now,
                    asset_id,
                    column_id,
                    PredictionKind.BUSINESS_NAME,
                    predicted,
                    PredictionStatus.PROPOSED,
                )
                for asset_id, column_id, name in targets
                if (predicted := business_name(name))
            ],
            ignore_conflicts=True,
        )

    def _record(self, counts: BatchCounts, *, processed: int) -> None:
        now = timezone.now()
        bulk_insert(
            RunActivity,
            ACTIVITY_FIELDS,
            [
                (self.run.pk, table[:255], status, asset_id, message, now)
                for table, status, asset_id, message in counts.activities
            ],
        )
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
