"""Background work of the catalog app. Tasks take ids and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import services
from .importing import execute_run


@shared_task(acks_late=True, ignore_result=True)
def run_data_source(run_id: str) -> str:
    """Carry out a REQUESTED run (a second delivery finds it RUNNING and does nothing)."""
    return execute_run(run_id)


@shared_task(ignore_result=True)
def start_scheduled_runs() -> int:
    return services.start_due_scheduled_runs()


@shared_task(ignore_result=True)
def sweep_stuck_runs() -> int:
    return services.sweep_stuck_runs(timeout_seconds=settings.DATA_SOURCE_RUN_TIMEOUT)
