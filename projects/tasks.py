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
from .deprovisioning import DeprovisioningError, deprovision
from .events import EventType, environment_event_record
from .models import Environment
from .provisioning import ProvisioningError, provision
from .services import notification_create
from .signals import environment_activated, environment_grants_outstanding

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


def _notify(environment, *, title, body, recipient=None):
    recipient = recipient or environment.created_by
    if recipient is not None:
        notification_create(
            recipient=recipient,
            kind=NotificationKind.EVENT,
            topic="ENVIRONMENT_STATUS",
            title=title,
            body=body,
            link=f"/environments/{environment.pk}/",
        )


def _load(environment_id, status, *related):
    """The environment to work on, or None when it is gone or no longer in ``status``
    (a message delivered after the work was done or cancelled)."""
    environment = (
        Environment.objects.select_related("project__domain", "profile", *related)
        .filter(pk=environment_id)
        .first()
    )
    if environment is None or environment.status != status:
        return None
    return environment


def _attempt(environment, work, expected_error, fail, activity: str):
    """Run ``work``; on its expected error, or on any other (a bug, an unforeseen failure),
    fail the environment with a message a person can act on, so that it is left in a
    retryable state. Returns ``work``'s outcome, or the failure's."""
    try:
        return work()
    except expected_error as error:
        return fail(environment, error.message)
    except Exception as error:  # a bug or an unforeseen failure: still leave a retryable state
        logger.exception("%s of environment %s failed unexpectedly", activity, environment.pk)
        return fail(
            environment,
            f"{activity} stopped on an unexpected error ({type(error).__name__}: {error}). "
            "Retry; if it fails again, ask a platform admin to check the portal's logs.",
        )


def _transition(
    environment,
    *,
    expected,
    status,
    event_type,
    title,
    body,
    recipient=None,
    updates=None,
    **event_fields,
) -> bool:
    """Compare-and-set the environment from ``expected`` to ``status``; in the same
    transaction record its event and tell the person concerned. False when another worker
    (or a person) moved it first, and then nothing is recorded."""
    with transaction.atomic():
        moved = Environment.objects.filter(pk=environment.pk, status=expected).update(
            status=status, updated_at=timezone.now(), **(updates or {})
        )
        if moved:
            environment_event_record(environment, event_type, status=status, **event_fields)
            _notify(environment, title=title, body=body, recipient=recipient)
    return bool(moved)


@shared_task(acks_late=True, ignore_result=True)
def provision_environment(environment_id: str) -> str:
    """Provision a CREATING environment; end ACTIVE or CREATE_FAILED with a message."""
    environment = _load(
        environment_id, EnvironmentStatus.CREATING, "project", "profile__aws_account", "created_by"
    )
    if environment is None:
        return "skipped"
    # A message delivered twice (acks_late) must not provision the same environment in
    # two workers at once: the second one leaves it to the first.
    with advisory_lock(f"provision-environment:{environment.pk}") as acquired:
        if not acquired:
            return "busy"
        return _provision(environment)


def _provision(environment) -> str:
    failed = _attempt(
        environment,
        lambda: provision(
            environment,
            on_step_done=lambda key, at, updates: _record_step(environment.pk, key, at, updates),
        ),
        ProvisioningError,
        _fail,
        "Provisioning",
    )
    if failed is not None:
        return failed
    activated = _transition(
        environment,
        expected=EnvironmentStatus.CREATING,
        status=EnvironmentStatus.ACTIVE,
        event_type=EventType.ENVIRONMENT_ACTIVE,
        updates={"provisioned_at": timezone.now(), "last_error": ""},
        title=f"Environment {environment.name} is ready",
        body=f"{environment.name} in project {environment.project.name} is ACTIVE.",
    )
    if not activated:
        return "superseded"
    transaction.on_commit(
        lambda: environment_activated.send(sender=Environment, environment_id=environment.pk)
    )
    return "active"


def _fail(environment, message: str) -> str:
    _transition(
        environment,
        expected=EnvironmentStatus.CREATING,
        status=EnvironmentStatus.CREATE_FAILED,
        event_type=EventType.ENVIRONMENT_FAILED,
        updates={"last_error": message},
        title=f"Environment {environment.name} could not be created",
        body=message,
        operation="CREATE",
        last_error=message,
    )
    return "failed"


@shared_task(ignore_result=True)
def sweep_stuck_environments() -> int:
    """Fail environments CREATING (or DELETING) for longer than the timeout (their worker
    died, or grants never got revoked), so that a person sees it and can retry."""
    cutoff = timezone.now() - timedelta(seconds=settings.ENVIRONMENT_PROVISIONING_TIMEOUT)
    minutes = settings.ENVIRONMENT_PROVISIONING_TIMEOUT // 60
    stuck = Environment.objects.filter(
        status=EnvironmentStatus.CREATING, provisioning_started_at__lt=cutoff
    ).select_related("project__domain", "profile", "created_by")
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
    stuck_deletions = Environment.objects.filter(
        status=EnvironmentStatus.DELETING, deletion_started_at__lt=cutoff
    ).select_related("project__domain", "profile", "created_by", "deleted_by")
    for environment in stuck_deletions:
        count += _fail_deletion(environment, _stuck_deletion_message(environment)) == "failed"
    return count


# --- Deletion -----------------------------------------------------------------------------


def _record_deletion_step(environment_id, key, at):
    """Mark one resource removed, without overwriting the other steps' marks."""
    Environment.objects.filter(pk=environment_id).update(
        deletion_steps=JSONBMerge(
            F("deletion_steps"), Value({key: at.isoformat()}, output_field=JSONField())
        ),
        updated_at=timezone.now(),
    )


def _deletion_recipient(environment):
    """Who asked for the deletion hears how it ended (else who created the environment)."""
    return environment.deleted_by or environment.created_by


def _stuck_deletion_message(environment) -> str:
    minutes = settings.ENVIRONMENT_PROVISIONING_TIMEOUT // 60
    if "revoke_grants" not in (environment.deletion_steps or {}):
        return (
            f"The environment's subscription grants were not all revoked within {minutes} "
            "minutes, so nothing was removed from AWS. Look at the grants of this "
            "environment (a REVOKE_FAILED grant says why), fix the cause, then retry."
        )
    return (
        f"Deletion did not finish within {minutes} minutes (the worker may have stopped). "
        "Retry to continue where it left off."
    )


@shared_task(acks_late=True, ignore_result=True)
def deprovision_environment(environment_id: str) -> str:
    """Delete a DELETING environment: wait until the sharing app has revoked its grants,
    then remove what provisioning created; end DELETED or DELETE_FAILED with a message."""
    environment = _load(
        environment_id,
        EnvironmentStatus.DELETING,
        "profile__aws_account",
        "created_by",
        "deleted_by",
    )
    if environment is None:
        return "skipped"
    # The provisioning lock: a late provisioning worker and a deletion never overlap, and
    # a message delivered twice deletes once.
    with advisory_lock(f"provision-environment:{environment.pk}") as acquired:
        if not acquired:
            return _check_again_later(environment, "busy")
        return _deprovision(environment)


def _grants_outstanding(environment) -> bool:
    """Ask the higher apps (sharing) whether grants of the environment are still being
    revoked. No receivers: nothing to wait for."""
    responses = environment_grants_outstanding.send(
        sender=Environment, environment_id=environment.pk
    )
    return any(response for _, response in responses)


def _check_again_later(environment, outcome: str) -> str:
    """Re-schedule the task with a countdown, unless there is no worker to come back
    (eager tasks, as in the demo) or the deletion is older than the timeout: then fail it,
    saying what to look at, and the owner retries."""
    started = environment.deletion_started_at or timezone.now()
    too_old = timezone.now() - started > timedelta(
        seconds=settings.ENVIRONMENT_PROVISIONING_TIMEOUT
    )
    if deprovision_environment.app.conf.task_always_eager or too_old:
        if outcome == "busy":
            return outcome  # the worker holding the lock finishes the job
        minutes = settings.ENVIRONMENT_PROVISIONING_TIMEOUT // 60
        return _fail_deletion(
            environment,
            "Subscription grants of this environment are still being revoked"
            + (f" after {minutes} minutes" if too_old else "")
            + ", so nothing was removed from AWS yet. Look at the environment's grants (a "
            "REVOKE_FAILED grant says why), fix the cause, then retry the deletion.",
        )
    deprovision_environment.apply_async(
        args=[str(environment.pk)], countdown=settings.ENVIRONMENT_DELETION_RECHECK_SECONDS
    )
    return outcome


def _remove_resources(environment) -> str | None:
    """Remove what provisioning created once no grant is being revoked any more; an
    outcome when it has to wait, None when done."""
    if _grants_outstanding(environment):
        return _check_again_later(environment, "waiting")
    _record_deletion_step(environment.pk, "revoke_grants", timezone.now())
    deprovision(
        environment,
        on_step_done=lambda key, at: _record_deletion_step(environment.pk, key, at),
    )
    return None


def _deprovision(environment) -> str:
    outcome = _attempt(
        environment,
        lambda: _remove_resources(environment),
        DeprovisioningError,
        _fail_deletion,
        "Deletion",
    )
    if outcome is not None:
        return outcome
    deleted = _transition(
        environment,
        expected=EnvironmentStatus.DELETING,
        status=EnvironmentStatus.DELETED,
        event_type=EventType.ENVIRONMENT_DELETED,
        updates={"deleted_at": timezone.now(), "last_error": ""},
        title=f"Environment {environment.name} is deleted",
        body=f"{environment.name} of project {environment.project.name} and the AWS "
        "resources the portal created for it are gone.",
        recipient=_deletion_recipient(environment),
    )
    return "deleted" if deleted else "superseded"


def _fail_deletion(environment, message: str) -> str:
    moved = _transition(
        environment,
        expected=EnvironmentStatus.DELETING,
        status=EnvironmentStatus.DELETE_FAILED,
        event_type=EventType.ENVIRONMENT_FAILED,
        updates={"last_error": message},
        title=f"Environment {environment.name} could not be deleted",
        body=message,
        recipient=_deletion_recipient(environment),
        operation="DELETE",
        last_error=message,
    )
    return "failed" if moved else "superseded"
