"""Outbox events of the catalog's import runs (listing events live with publishing in
services/listings.py). The payload vocabulary is projects/events.py's."""

from meshportal.events import EventType, event_record
from projects.events import ref

RUN_COUNTS = ("total", "processed", "added", "updated", "unchanged", "archived", "failed")


def _moment(value):
    return value.isoformat() if value else None


def data_source_run_finished_record(run) -> None:
    """``data_source_run.finished`` for a run that just reached SUCCESS,
    PARTIALLY_SUCCEEDED or FAILED (inside the transaction that moved it).

    ``run`` is the row as it is now, with its data source, project and domain loaded.
    The actor is the person who started the run (None for a scheduled one).
    """
    source = run.data_source
    project = source.project
    event_record(
        EventType.DATA_SOURCE_RUN_FINISHED,
        payload={
            "data_source_run": {
                "id": str(run.pk),
                "status": run.status,
                "type": run.type,
                "error_type": run.error_type,
                "error_message": run.error_message,
                "started_at": _moment(run.started_at),
                "finished_at": _moment(run.finished_at),
                "counts": {name: getattr(run, name) for name in RUN_COUNTS},
            },
            "data_source": ref(source, type=source.type),
            "project": ref(project),
            "domain": ref(project.domain),
        },
        domain_id=project.domain_id,
        project_ids=[project.pk],
        actor=run.requested_by,
    )
