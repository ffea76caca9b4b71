"""``Importer``: one batch of a run's tables into the inventory, in a constant number of
queries (create, update, revisions, suggestions, activities, archive).
"""

import uuid
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..business_names import business_name
from ..choices import (
    ActivityStatus,
    RevisionReason,
    SuggestionKind,
    SuggestionStatus,
)
from ..models import (
    Asset,
    AssetColumn,
    AssetRevision,
    DataSourceRun,
    RunActivity,
    Suggestion,
)
from ..services.listings import ASSET_ARCHIVED, listings_deactivate
from ..snapshots import (
    asset_snapshot,
    source_column_snapshot,
    technical_changes,
)
from ..sources import MalformedTable, raw_table_name
from .batch import BatchCounts, _business_snapshots, _new_asset_snapshot
from .bulk import _array_literal, bulk_insert, bulk_update_rows

# Fields sent row by row; the others of each statement are the same for every row.
COLUMN_FIELDS = ["asset", "name", "data_type", "position", "is_partition_key", "source_comment"]


SOURCE_COLUMN_FIELDS = ["data_type", "position", "is_partition_key", "source_comment"]


ASSET_FIELDS = [
    "id",
    "type",
    "external_identifier",
    "technical_name",
    "database_name",
    "schema_name",
    "technical_metadata",
    "content_hash",
    "source_updated_at",
]


ASSET_ATTRIBUTES = ["pk", *ASSET_FIELDS[1:]]


REVISION_FIELDS = ["asset", "revision", "snapshot", "changes"]


ACTIVITY_FIELDS = ["table_name", "status", "asset", "message"]


class Importer:
    """Upserts one run's tables batch by batch."""

    def __init__(self, run):
        self.run = run
        self.source = run.data_source
        self.project = self.source.project
        self.domain_id = self.project.domain_id
        where = self.source.database_name
        if self.source.schema_name:
            where = f"{where}.{self.source.schema_name}"
        self.imported_from = f"Imported from {self.source.get_type_display()} {where}"
        from ..import_enrichment import RunEnrichment

        self.enrichment = RunEnrichment.for_source(self.source)

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
            self._enrich(counts)
            self._record(counts, processed=len(raw_tables))

    def _enrich(self, counts: BatchCounts) -> None:
        """Default forms, glossary-term suggestions and publish on import for the batch's
        new and changed assets; publishing's outcome is added to their activities."""
        created = [a for _t, s, a, _m in counts.activities if s == ActivityStatus.SUCCEEDED_CREATED]
        changed = [a for _t, s, a, _m in counts.activities if s == ActivityStatus.SUCCEEDED_UPDATED]
        notes = self.enrichment.apply(created, changed)
        if notes:
            counts.activities = [
                (table, status, asset_id, " ".join(filter(None, [message, notes.get(asset_id)])))
                for table, status, asset_id, message in counts.activities
            ]

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

        # The other project is not named: the run's readers may not be allowed to see it.
        for _row, table in foreign:
            counts.add(
                ActivityStatus.FAILED,
                table.name,
                message="This table is already in the inventory of another project of this "
                "domain; a table belongs to one project per domain.",
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

    @staticmethod
    def _new_asset(table) -> SimpleNamespace:
        """What a new asset is made of (business metadata comes later, from people)."""
        return SimpleNamespace(
            pk=uuid.uuid4(),
            type=table.type,
            external_identifier=table.external_identifier,
            technical_name=table.name,
            database_name=table.database,
            schema_name=table.schema,
            business_name="",
            description="",
            technical_metadata=table.metadata,
            content_hash=table.content_hash,
            source_updated_at=table.updated_at,
        )

    def _insert_assets(self, assets, now) -> None:
        bulk_insert(
            Asset,
            ASSET_FIELDS,
            [tuple(getattr(asset, name) for name in ASSET_ATTRIBUTES) for asset in assets],
            constants={
                "created_at": now,
                "updated_at": now,
                "domain": self.domain_id,
                "project": self.project.pk,
                "data_source": self.source.pk,
                "business_name": "",
                "description": "",
                "current_revision": 1,
            },
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
        )

    @staticmethod
    def _insert_columns(rows) -> None:
        bulk_insert(
            AssetColumn, COLUMN_FIELDS, rows, constants={"business_name": "", "description": ""}
        )

    def _insert_revisions(self, rows, now) -> None:
        bulk_insert(
            AssetRevision,
            REVISION_FIELDS,
            rows,
            constants={"reason": RevisionReason.IMPORT, "run": self.run.pk, "created_at": now},
        )

    def _create(self, tables, counts: BatchCounts, now) -> None:
        if not tables:
            return
        assets = [self._new_asset(t) for t in tables]
        self._insert_assets(assets, now)
        self._insert_columns(
            [
                (asset.pk, c.name, c.data_type, c.position, c.is_partition_key, c.comment)
                for asset, table in zip(assets, tables, strict=True)
                for c in table.columns
            ]
        )
        self._insert_revisions(
            [
                (
                    asset.pk,
                    1,
                    _new_asset_snapshot(asset, table),
                    [self.imported_from],
                )
                for asset, table in zip(assets, tables, strict=True)
            ],
            now,
        )
        if self.source.generate_business_names:
            self._suggest_business_names(
                [(asset.pk, asset.technical_name) for asset in assets],
                [
                    (asset.pk, column.name)
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

        asset_terms, column_terms, forms = _business_snapshots(asset_ids)

        to_create, to_update, to_delete, revisions = [], [], [], []
        for asset, table in pairs:
            changes = _update_changes(asset, table, old_columns[asset.pk])
            current = self._merge_columns(
                asset, table, old_columns[asset.pk], to_create, to_update, to_delete
            )
            self._apply_table(asset, table, now)
            # A full snapshot, as revisions written by people have (terms and forms too).
            snapshot = asset_snapshot(asset, current)
            terms_by_name = {
                c.name: column_terms.get(c.pk, []) for c in current if not isinstance(c, dict)
            }
            for column_data in snapshot["columns"]:
                column_data["glossary_terms"] = terms_by_name.get(column_data["name"], [])
            snapshot["glossary_terms"] = asset_terms.get(asset.pk, [])
            snapshot["forms"] = forms.get(asset.pk, [])
            revisions.append((asset.pk, asset.current_revision, snapshot, changes))
            counts.add(ActivityStatus.SUCCEEDED_UPDATED, table.name, asset.pk, "; ".join(changes))

        if to_delete:
            AssetColumn.objects.filter(pk__in=to_delete).delete()
        bulk_update_rows(AssetColumn, SOURCE_COLUMN_FIELDS, to_update)
        self._insert_columns(to_create)
        Asset.objects.bulk_update([asset for asset, _ in pairs], _UPDATED_ASSET_FIELDS)
        self._insert_revisions(revisions, now)
        if self.source.generate_business_names and to_create:
            # Only columns new to the asset: the others were proposed (or named) before.
            self._suggest_business_names([], [(row[0], row[1]) for row in to_create], now)

    def _merge_columns(self, asset, table, old_columns, to_create, to_update, to_delete):
        """The source's columns against the stored ones: new rows to create, kept rows
        to update (their source fields), gone rows to delete. Returns the columns in the
        source's order (stored columns, or snapshots of the new ones)."""
        olds = {c.name: c for c in old_columns}
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
        return current

    def _apply_table(self, asset, table, now) -> None:
        """The asset takes the source table's technical side, back from the archive."""
        asset.type = table.type
        asset.technical_metadata = table.metadata
        asset.content_hash = table.content_hash
        asset.source_updated_at = table.updated_at
        asset.archived_at = None
        asset.data_source = self.source
        asset.current_revision += 1
        asset.updated_at = now

    def _suggest_business_names(self, assets, columns, now) -> None:
        """PROPOSED business names for new assets and new columns, given as (asset id,
        technical name) and (asset id, column name). They have no business name and no
        suggestion yet, so no open suggestion can be in the way."""
        constants = {
            "created_at": now,
            "updated_at": now,
            "kind": SuggestionKind.BUSINESS_NAME,
            "status": SuggestionStatus.PROPOSED,
        }
        bulk_insert(
            Suggestion,
            ["asset", "value"],
            [
                (asset_id, suggested)
                for asset_id, name in assets
                if (suggested := business_name(name))
            ],
            constants=constants,
            expressions={"id": "gen_random_uuid()"},
        )
        rows = [
            (asset_id, name, suggested)
            for asset_id, name in columns
            if (suggested := business_name(name))
        ]
        if not rows:
            return
        # The columns were inserted just before: look each one's id up by (asset, name)
        # in the unique index (LIMIT 1 keeps the planner from joining the whole table).
        quote = connection.ops.quote_name
        suggestion, column = Suggestion._meta, AssetColumn._meta
        sql = (
            f"INSERT INTO {quote(suggestion.db_table)} (id, created_at, updated_at, kind, "  # noqa: S608
            f"status, asset_id, column_id, value) "
            "SELECT gen_random_uuid(), %s, %s, %s, %s, u.asset_id, c.id, u.value "
            "FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS u(asset_id, name, value) "
            f"CROSS JOIN LATERAL (SELECT id FROM {quote(column.db_table)} "
            "WHERE asset_id = u.asset_id AND name = u.name LIMIT 1) AS c"
        )
        asset_ids, names, values = (_array_literal(values) for values in zip(*rows, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(sql, [*constants.values(), asset_ids, names, values])

    def _record(self, counts: BatchCounts, *, processed: int) -> None:
        now = timezone.now()
        bulk_insert(
            RunActivity,
            ACTIVITY_FIELDS,
            [
                (table[:255], status, asset_id, message)
                for table, status, asset_id, message in counts.activities
            ],
            constants={"run": self.run.pk, "created_at": now},
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
            # A table that no longer exists must not stay in the catalog either.
            listings_deactivate(asset_ids=[a.pk for a in gone], now=now, cause=ASSET_ARCHIVED)
            for asset in gone:
                counts.add(
                    ActivityStatus.SKIPPED_ARCHIVED,
                    asset.technical_name,
                    asset.pk,
                    "The table is no longer in the source; the asset is archived, not deleted.",
                )
            self._record(counts, processed=0)


# The asset fields an update from the source writes (see Importer._apply_table).
_UPDATED_ASSET_FIELDS = [
    "type",
    "technical_metadata",
    "content_hash",
    "source_updated_at",
    "archived_at",
    "data_source",
    "current_revision",
    "updated_at",
]


def _update_changes(asset, table, old_columns) -> list[str]:
    """The revision's lines for a table seen again: restored and/or what changed."""
    if asset.content_hash == table.content_hash:
        return ["Restored: the table is back in the source"]
    changes = technical_changes(asset, table, old_columns, table.columns)
    if asset.archived_at is not None:
        changes.insert(0, "Restored: the table is back in the source")
    return changes
