"""One import run from REQUESTED to its final status: list, batch, archive, finish."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import (
    RunErrorType,
    RunStatus,
)
from ..events import data_source_run_finished_record
from ..models import DataSourceRun
from ..sources import SourceError, list_tables, raw_table_name, table_matches
from .importer import Importer

logger = logging.getLogger(__name__)


#: The default of settings.DATA_SOURCE_IMPORT_BATCH_SIZE (tables per batch).
BATCH_SIZE = 500


def batch_size() -> int:
    """Tables per batch: the setting, at least 1."""
    return max(1, int(getattr(settings, "DATA_SOURCE_IMPORT_BATCH_SIZE", BATCH_SIZE)))


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
        "data_source__project__domain",
        "data_source__environment__profile__aws_account",
        "requested_by",
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
        size = batch_size()
        for start in range(0, len(matched), size):
            importer.import_batch(matched[start : start + size], convert)
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
    with transaction.atomic():
        moved = DataSourceRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=status,
            error_type=error_type or "",
            error_message=message,
            finished_at=now,
            heartbeat_at=now,
            updated_at=now,
        )
        if moved:  # (a sweep may have failed the run meanwhile; it reported that)
            run.refresh_from_db(fields=[*RUN_FIELDS])
            data_source_run_finished_record(run)
    return status


# What the finished event reports of the run (re-read: batches counted in SQL).
RUN_FIELDS = (
    "status",
    "error_type",
    "error_message",
    "started_at",
    "finished_at",
    *("total", "processed", "added", "updated", "unchanged", "archived", "failed"),
)
