"""Celery tasks of the sharing app. Each takes ids and is safe to run twice; the work and
its reasoning live in granting.py, fulfilment.py and reconciliation.py."""

from celery import shared_task

from . import fulfilment, granting, maintenance


@shared_task(acks_late=True)
def grant_fulfil(grant_id: str) -> str:
    return granting.fulfil(grant_id)


@shared_task(acks_late=True)
def grant_revoke(grant_id: str) -> str:
    return fulfilment.revoke(grant_id)


@shared_task(acks_late=True)
def grant_add_principals(grant_id: str) -> str:
    return maintenance.refresh_principals(grant_id)


@shared_task(acks_late=True)
def grant_remove_principal(grant_id: str, role_arn: str) -> str:
    return maintenance.drop_principal(grant_id, role_arn)


@shared_task
def sweep_stuck_grants() -> dict:
    return maintenance.sweep_stuck()


@shared_task
def reconcile_grants(dry_run: bool = False) -> dict:
    from .reconciliation import reconcile

    return reconcile(dry_run=dry_run).summary()
