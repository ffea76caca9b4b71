"""Background work of the projects app. Tasks take ids and are safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Func, JSONField, Value
from django.utils import timezone

from meshportal.locks import advisory_lock

from .choices import EnvironmentStatus, NotificationKind
from .models import Environment
from .provisioning import ProvisioningError, provision
from .services import notification_create
from .signals import environment_activated

logger = logging.getLogger(__name__)


class JSONBMerge(Func):
    """``a || b`` on jsonb: merge keys into an object in one UPDATE."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = JSONField()


def _record_step(environment_id, key, at, updates):
    """Mark one provisioning step done, without overwriting the other steps' marks."""
    Environment.objects.filter(pk=environment_id).update(
        **updates,
        provisioning_steps=JSONBMerge(
            F("provisioning_steps"), Value({key: at.isoformat()}, output_field=JSONField())
        ),
        updated_at=timezone.now(),
    )


def _notify(environment, *, title, body):
    if environment.created_by_id:
        notification_create(
            recipient=environment.created_by,
            kind=NotificationKind.EVENT,
            topic="ENVIRONMENT_STATUS",
            title=title,
            body=body,
            link=f"/environments/{environment.pk}/",
        )


@shared_task(acks_late=True, ignore_result=True)
def provision_environment(environment_id: str) -> str:
    """Provision a CREATING environment; end ACTIVE or CREATE_FAILED with a message."""
    environment = (
        Environment.objects.select_related(
            "project", "project__domain", "profile", "profile__aws_account", "created_by"
        )
        .filter(pk=environment_id)
        .first()
    )
    if environment is None or environment.status != EnvironmentStatus.CREATING:
        return "skipped"
    # A message delivered twice (acks_late) must not provision the same environment in
    # two workers at once: the second one leaves it to the first.
    with advisory_lock(f"provision-environment:{environment.pk}") as acquired:
        if not acquired:
            return "busy"
        return _provision(environment)


def _provision(environment) -> str:
    try:
        provision(
            environment,
            on_step_done=lambda key, at, updates: _record_step(environment.pk, key, at, updates),
        )
    except ProvisioningError as error:
        return _fail(environment, error.message)
    except Exception as error:  # a bug or an unforeseen failure: still leave a retryable state
        logger.exception("Provisioning environment %s failed unexpectedly", environment.pk)
        return _fail(
            environment,
            f"Provisioning stopped on an unexpected error ({type(error).__name__}: {error}). "
            "Retry; if it fails again, ask a platform admin to check the portal's logs.",
        )
    with transaction.atomic():
        moved = Environment.objects.filter(
            pk=environment.pk, status=EnvironmentStatus.CREATING
        ).update(
            status=EnvironmentStatus.ACTIVE,
            provisioned_at=timezone.now(),
            last_error="",
            updated_at=timezone.now(),
        )
        if not moved:
            return "superseded"
        _notify(
            environment,
            title=f"Environment {environment.name} is ready",
            body=f"{environment.name} in project {environment.project.name} is ACTIVE.",
        )
        transaction.on_commit(
            lambda: environment_activated.send(sender=Environment, environment_id=environment.pk)
        )
    return "active"


def _fail(environment, message: str) -> str:
    with transaction.atomic():
        moved = Environment.objects.filter(
            pk=environment.pk, status=EnvironmentStatus.CREATING
        ).update(
            status=EnvironmentStatus.CREATE_FAILED, last_error=message, updated_at=timezone.now()
        )
        if moved:
            _notify(
                environment,
                title=f"Environment {environment.name} could not be created",
                body=message,
            )
    return "failed"


@shared_task(ignore_result=True)
def sweep_stuck_environments() -> int:
    """Fail environments CREATING for longer than the timeout (their worker died), so
    that a person sees it and can retry."""
    cutoff = timezone.now() - timedelta(seconds=settings.ENVIRONMENT_PROVISIONING_TIMEOUT)
    minutes = settings.ENVIRONMENT_PROVISIONING_TIMEOUT // 60
    stuck = Environment.objects.filter(
        status=EnvironmentStatus.CREATING, provisioning_started_at__lt=cutoff
    ).select_related("project", "created_by")
    count = 0
    for environment in stuck:
        count += (
            _fail(
                environment,
                f"Provisioning did not finish within {minutes} minutes (the worker may have "
                "stopped). Retry to continue where it left off.",
            )
            == "failed"
        )
    return count
