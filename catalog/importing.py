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
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .business_names import business_name
from .choices import (
    ActivityStatus,
    ListingStatus,
    PredictionKind,
    PredictionStatus,
    RevisionReason,
    RunErrorType,
    RunStatus,
)
from .models import (
    Asset,
    AssetColumn,
    AssetForm,
    AssetRevision,
    DataSourceRun,
    Listing,
    Prediction,
    RunActivity,
)
from .snapshots import (
    _term_ref,
    asset_snapshot,
    forms_snapshot,
    source_column_snapshot,
    technical_changes,
)
from .sources import MalformedTable, SourceError, list_tables, raw_table_name, table_matches

logger = logging.getLogger(__name__)

BATCH_SIZE = 500

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


# --- bulk statements with one array per column ---------------------------------------------
#
# A batch writes tens of thousands of column and prediction rows. Model instances and
# per-value preparation cost more than PostgreSQL takes to store the rows, so these
# statements send one array per column and let PostgreSQL ``unnest`` them: one query per
# statement whatever the number of rows, no per-row Python objects, and values shared by
# every row (the run, the time, a status) sent once. An array travels as one parameter in
# PostgreSQL's text form ('{"a","b",NULL}'), which the server reads several times faster
# than the ARRAY[...] expression the driver would make of a Python list.


def _array_type(model_field) -> str:
    db_type = model_field.db_type(connection)  # a foreign key has its target's type
    if db_type.startswith("varchar") or db_type == "text" or db_type == "jsonb":
        return "text"  # varchar(n) is checked on assignment, as with the ORM
    return db_type


def _is_json(model_field) -> bool:
    return model_field.get_internal_type() == "JSONField"


def _encode(model_field, value):
    if _is_json(model_field) and value is not None:
        return json.dumps(value, cls=model_field.encoder)
    return value


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _array_literal(values, model_field=None) -> str:
    """PostgreSQL's text form of an array of the field's values ('{"a",NULL}')."""
    kind = model_field.get_internal_type() if model_field is not None else ""
    if kind in ("CharField", "TextField"):
        items = ["NULL" if v is None else _quote(v) for v in values]
    elif kind == "BooleanField":
        items = ["NULL" if v is None else "t" if v else "f" for v in values]
    elif kind == "JSONField":
        encoder = model_field.encoder
        items = ["NULL" if v is None else _quote(json.dumps(v, cls=encoder)) for v in values]
    elif kind == "DateTimeField":
        items = ["NULL" if v is None else _quote(v.isoformat()) for v in values]
    else:  # numbers, UUIDs, foreign keys
        items = ["NULL" if v is None else _quote(str(v)) for v in values]
    return "{" + ",".join(items) + "}"


def _statement_parts(model, field_names, rows, constants=None, expressions=None):
    """Columns, SELECT list, FROM clause and parameters of a bulk statement.

    ``field_names`` are sent as arrays (one value per row), ``constants`` once for all
    rows, ``expressions`` are SQL of ours (such as ``gen_random_uuid()``).
    """
    constants, expressions = constants or {}, expressions or {}
    meta = model._meta
    columns, selects, select_params = [], [], []
    for name, sql in expressions.items():
        columns.append(meta.get_field(name).column)
        selects.append(sql)
    for name, value in constants.items():
        model_field = meta.get_field(name)
        columns.append(model_field.column)
        selects.append(f"%s::{'jsonb' if _is_json(model_field) else _array_type(model_field)}")
        select_params.append(_encode(model_field, value))
    fields = [meta.get_field(name) for name in field_names]
    arrays = [
        _array_literal(values, f) for f, values in zip(fields, zip(*rows, strict=True), strict=True)
    ]
    aliases = [f"c{i}" for i in range(len(fields))]
    for model_field, alias in zip(fields, aliases, strict=True):
        columns.append(model_field.column)
        selects.append(f"u.{alias}::jsonb" if _is_json(model_field) else f"u.{alias}")
    unnest = ", ".join(f"%s::{_array_type(f)}[]" for f in fields)
    source = f"unnest({unnest}) AS u({', '.join(aliases)})"
    return columns, selects, source, select_params, arrays


def bulk_insert(model, field_names, rows, *, constants=None, expressions=None) -> None:
    """INSERT ``rows`` (tuples in ``field_names`` order) in one statement.

    Values must be ready for the database: no model defaults are applied, so every
    required field is in ``field_names``, ``constants`` or ``expressions``.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    columns, selects, source, select_params, arrays = _statement_parts(
        model, field_names, rows, constants, expressions
    )
    # Identifiers come from the models' metadata; every value is a query parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
        f"SELECT {', '.join(selects)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*select_params, *arrays])


def bulk_update_rows(model, field_names, rows) -> None:
    """UPDATE rows by primary key in one statement; ``rows`` are ``(pk, *values)``."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns, selects, source, _, arrays = _statement_parts(
        model, [model._meta.pk.name, *field_names], rows
    )
    assignments = ", ".join(
        f"{quote(column)} = {value}" for column, value in zip(columns[1:], selects[1:], strict=True)
    )
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} FROM {source} "  # noqa: S608
        f"WHERE t.{quote(columns[0])} = {selects[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


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


def _new_asset_snapshot(asset, table) -> dict:
    """The full snapshot of a new asset: no terms or forms yet."""
    columns = [{**source_column_snapshot(c), "glossary_terms": []} for c in table.columns]
    snapshot = asset_snapshot(asset, columns)
    snapshot["glossary_terms"] = []
    snapshot["forms"] = []
    return snapshot


def _business_snapshots(asset_ids) -> tuple[dict, dict, dict]:
    """The glossary terms of the assets and of their columns (by column id), and their
    forms, as asset_full_snapshot records them, in a constant number of queries."""
    from django.db.models import Prefetch

    from glossary.models import FormField

    asset_terms, column_terms, forms = defaultdict(list), defaultdict(list), defaultdict(list)
    links = (
        Asset.glossary_terms.through.objects.filter(asset_id__in=asset_ids)
        .select_related("glossaryterm__glossary")
        .order_by("glossaryterm__name")
    )
    for link in links:
        asset_terms[link.asset_id].append(_term_ref(link.glossaryterm))
    links = (
        AssetColumn.glossary_terms.through.objects.filter(assetcolumn__asset_id__in=asset_ids)
        .select_related("glossaryterm__glossary")
        .order_by("glossaryterm__name")
    )
    for link in links:
        column_terms[link.assetcolumn_id].append(_term_ref(link.glossaryterm))
    asset_forms = list(
        AssetForm.objects.filter(asset_id__in=asset_ids)
        .select_related("form_type")
        .prefetch_related(
            Prefetch("form_type__fields", queryset=FormField.objects.order_by("order"))
        )
        .order_by("form_type__name")
    )
    for asset_form, form in zip(asset_forms, forms_snapshot(asset_forms), strict=True):
        forms[asset_form.asset_id].append(form)
    return asset_terms, column_terms, forms


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
        from .import_enrichment import RunEnrichment

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
            self._predict(
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
        self._insert_revisions(revisions, now)
        if self.source.generate_business_names and to_create:
            # Only columns new to the asset: the others were proposed (or named) before.
            self._predict([], [(row[0], row[1]) for row in to_create], now)

    def _predict(self, assets, columns, now) -> None:
        """PROPOSED business names for new assets and new columns, given as (asset id,
        technical name) and (asset id, column name). They have no business name and no
        suggestion yet, so no open suggestion can be in the way."""
        constants = {
            "created_at": now,
            "updated_at": now,
            "kind": PredictionKind.BUSINESS_NAME,
            "status": PredictionStatus.PROPOSED,
        }
        bulk_insert(
            Prediction,
            ["asset", "value"],
            [
                (asset_id, predicted)
                for asset_id, name in assets
                if (predicted := business_name(name))
            ],
            constants=constants,
            expressions={"id": "gen_random_uuid()"},
        )
        rows = [
            (asset_id, name, predicted)
            for asset_id, name in columns
            if (predicted := business_name(name))
        ]
        if not rows:
            return
        # The columns were inserted just before: look each one's id up by (asset, name)
        # in the unique index (LIMIT 1 keeps the planner from joining the whole table).
        quote = connection.ops.quote_name
        prediction, column = Prediction._meta, AssetColumn._meta
        sql = (
            f"INSERT INTO {quote(prediction.db_table)} (id, created_at, updated_at, kind, "  # noqa: S608
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
            Listing.objects.filter(
                asset_id__in=[a.pk for a in gone], status=ListingStatus.ACTIVE
            ).update(status=ListingStatus.INACTIVE, unpublished_at=now, updated_at=now)
            for asset in gone:
                counts.add(
                    ActivityStatus.SKIPPED_ARCHIVED,
                    asset.technical_name,
                    asset.pk,
                    "The table is no longer in the source; the asset is archived, not deleted.",
                )
            self._record(counts, processed=0)
