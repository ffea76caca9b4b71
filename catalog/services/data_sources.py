"""Writes about data sources and their runs."""

import zoneinfo
from datetime import datetime

from croniter import CroniterError, croniter
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meshportal.exceptions import Conflict
from meshportal.limits import FILTER_EXPRESSIONS_MAX, check_count, clean_description
from meshportal.services import reject_unknown_fields, save_unique
from projects.choices import Blueprint, Designation, EnvironmentStatus
from projects.permissions import require_designation

from ..choices import (
    DataSourceType,
    FilterType,
    RunErrorType,
    RunStatus,
    RunType,
)
from ..events import data_source_run_finished_record
from ..models import DataSource, DataSourceRun

BLUEPRINT_FOR_TYPE = {
    DataSourceType.GLUE: Blueprint.DATA_LAKE,
    DataSourceType.REDSHIFT: Blueprint.DATA_WAREHOUSE,
}
DATA_SOURCE_FIELDS = {
    "name",
    "description",
    "environment",
    "type",
    "database_name",
    "schema_name",
    "filter_expressions",
    "schedule",
    "schedule_timezone",
    "enabled",
    "publish_on_import",
    "generate_business_names",
    "default_form_types",
}


# --- Data sources -----------------------------------------------------------------------


def clean_filter_expressions(value) -> list[dict]:
    """Validate ``[{type: INCLUDE|EXCLUDE, expression: glob}]`` and normalise it."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError({"filter_expressions": "Give a list of {type, expression} objects."})
    check_count(value, FILTER_EXPRESSIONS_MAX, "filter_expressions", "filter expressions")
    cleaned = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValidationError(
                {"filter_expressions": f"Filter {number}: give an object with type and expression."}
            )
        kind = str(item.get("type", "")).upper()
        expression = str(item.get("expression", "")).strip()
        if kind not in FilterType.values:
            raise ValidationError(
                {"filter_expressions": f"Filter {number}: type must be INCLUDE or EXCLUDE."}
            )
        if "\x00" in expression or "\x00" in kind:
            raise ValidationError(
                {"filter_expressions": f"Filter {number}: NUL characters are not allowed."}
            )
        if not expression or len(expression) > 255:
            raise ValidationError(
                {
                    "filter_expressions": f"Filter {number}: enter a table-name pattern such as "
                    "'film_*' (at most 255 characters)."
                }
            )
        cleaned.append({"type": kind, "expression": expression})
    return cleaned


def next_run_after(schedule: str, tz_name: str, after: datetime) -> datetime | None:
    """The first time after ``after`` that the cron schedule fires, in UTC."""
    if not schedule:
        return None
    tz = zoneinfo.ZoneInfo(tz_name)
    return (
        croniter(schedule, after.astimezone(tz))
        .get_next(datetime)
        .astimezone(zoneinfo.ZoneInfo("UTC"))
    )


def schedule_clean(schedule: str, tz_name: str) -> tuple[str, str]:
    """A normalised (schedule, time zone), or a ValidationError naming every bad field.

    Public because the page's form checks the schedule alongside its own fields, so a
    person sees a bad filter line and a bad cron together rather than one per attempt.
    A cron that is well formed but can never fire (``0 0 31 2 *``) is refused here:
    computing its next run would otherwise fail later, inside the save.
    """
    schedule = " ".join((schedule or "").split())
    tz_name = (tz_name or "UTC").strip()
    try:
        zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            {
                "schedule_timezone": f"'{tz_name}' is not a time zone; use a name such as Europe/Paris."
            }
        ) from None
    if schedule and (len(schedule.split()) != 5 or not croniter.is_valid(schedule)):
        raise ValidationError(
            {
                "schedule": f"'{schedule}' is not a cron expression of five fields, e.g. "
                "'0 2 * * *' (every day at 02:00)."
            }
        )
    if schedule:
        try:
            next_run_after(schedule, tz_name, timezone.now())
        except CroniterError:
            raise ValidationError(
                {
                    "schedule": f"'{schedule}' never fires: no date matches it (such as the "
                    "31st of February). Check the day-of-month and month fields."
                }
            ) from None
    return schedule, tz_name


def _validate_data_source(data_source: DataSource) -> None:
    errors = {}
    name = (data_source.name or "").strip()
    if not name:
        errors["name"] = "Enter a name."
    elif len(name) > 256:
        errors["name"] = "Use at most 256 characters."
    data_source.name = name
    if data_source.type not in DataSourceType.values:
        errors["type"] = "Choose GLUE or REDSHIFT."
    data_source.database_name = (data_source.database_name or "").strip()
    if not data_source.database_name:
        errors["database_name"] = "Name the database to import from."
    data_source.schema_name = (data_source.schema_name or "").strip()
    if data_source.type == DataSourceType.REDSHIFT and not data_source.schema_name:
        errors["schema_name"] = "Name the Redshift schema to import from (e.g. public)."
    environment = data_source.environment
    if environment.project_id != data_source.project_id:
        errors["environment"] = "Choose an environment of this project."
    elif environment.status in (
        EnvironmentStatus.DELETING,
        EnvironmentStatus.DELETE_FAILED,
        EnvironmentStatus.DELETED,
    ):
        errors["environment"] = "This environment is being deleted."
    elif (
        data_source.type in BLUEPRINT_FOR_TYPE
        and environment.profile.blueprint != BLUEPRINT_FOR_TYPE[data_source.type]
    ):
        needed = BLUEPRINT_FOR_TYPE[data_source.type]
        errors["environment"] = (
            f"A {data_source.get_type_display()} data source needs a {needed.label.split(' (')[0].lower()} "
            f"environment; '{environment.name}' is {environment.profile.get_blueprint_display().split(' (')[0].lower()}."
        )
    if errors:
        raise ValidationError(errors)
    data_source.filter_expressions = clean_filter_expressions(data_source.filter_expressions)
    data_source.description = clean_description(data_source.description)
    data_source.schedule, data_source.schedule_timezone = schedule_clean(
        data_source.schedule, data_source.schedule_timezone
    )
    data_source.next_run_at = (
        next_run_after(data_source.schedule, data_source.schedule_timezone, timezone.now())
        if data_source.enabled
        else None
    )


def _clean_default_form_types(project, ids):
    """Form types of the project's domain (ids as given); a disabled one cannot be newly
    named, one named before it was disabled may stay (checked when set)."""
    from glossary.models import FormType

    ids = {str(i) for i in ids or []}
    try:
        form_types = list(FormType.objects.filter(pk__in=ids, domain_id=project.domain_id))
    except ValidationError:  # not UUIDs at all
        form_types = []
    if len(form_types) != len(ids):
        raise ValidationError(
            {"default_form_types": f"Choose metadata forms of domain '{project.domain.name}'."}
        )
    return form_types


def _set_default_form_types(data_source: DataSource, form_types) -> None:
    from glossary.choices import GlossaryStatus

    kept = set(data_source.default_form_types.values_list("pk", flat=True))
    disabled = sorted(
        f.name for f in form_types if f.status != GlossaryStatus.ENABLED and f.pk not in kept
    )
    if disabled:
        raise ValidationError(
            {"default_form_types": [f"Form '{name}' is disabled." for name in disabled]}
        )
    data_source.default_form_types.set(form_types)


def _save_data_source(data_source: DataSource) -> DataSource:
    return save_unique(
        data_source,
        {"name": f"This project already has a data source named '{data_source.name}'."},
        clash=DataSource.objects.filter(project=data_source.project, name__iexact=data_source.name),
    )


@transaction.atomic
def data_source_create(*, acting_user, project, environment, **fields) -> DataSource:
    """Create a data source of a project (CONTRIBUTOR or OWNER)."""
    require_designation(acting_user, project, Designation.CONTRIBUTOR, "add data sources")
    reject_unknown_fields(fields, DATA_SOURCE_FIELDS)
    form_types = _clean_default_form_types(project, fields.pop("default_form_types", None))
    data_source = DataSource(
        project=project, environment=environment, created_by=acting_user, **fields
    )
    _validate_data_source(data_source)
    _save_data_source(data_source)
    _set_default_form_types(data_source, form_types)
    return data_source


@transaction.atomic
def data_source_update(*, acting_user, data_source: DataSource, **changes) -> DataSource:
    require_designation(
        acting_user, data_source.project, Designation.CONTRIBUTOR, "change data sources"
    )
    reject_unknown_fields(changes, DATA_SOURCE_FIELDS)
    form_types = None
    if "default_form_types" in changes:
        form_types = _clean_default_form_types(
            data_source.project, changes.pop("default_form_types")
        )
    for field, value in changes.items():
        setattr(data_source, field, value)
    _validate_data_source(data_source)
    _save_data_source(data_source)
    if form_types is not None:
        _set_default_form_types(data_source, form_types)
    return data_source


@transaction.atomic
def data_source_delete(*, acting_user, data_source: DataSource) -> None:
    """Delete a data source; its assets stay in the inventory, detached from it."""
    require_designation(
        acting_user, data_source.project, Designation.CONTRIBUTOR, "delete data sources"
    )
    if data_source.runs.filter(status__in=RunStatus.active()).exists():
        raise Conflict(
            "A run of this data source is in progress; delete it when the run has finished."
        )
    data_source.delete()


# --- Runs -------------------------------------------------------------------------------


def _enqueue_run(run_id) -> None:
    from ..tasks import run_data_source

    transaction.on_commit(lambda: run_data_source.delay(str(run_id)))


def data_source_run_start(*, acting_user, data_source: DataSource) -> tuple[DataSourceRun, bool]:
    """Start an on-demand (PRIORITIZED) run; return ``(run, created)``.

    A source never has two runs going: asking again while one is REQUESTED or RUNNING
    returns that run with ``created=False`` (the API answers 409 with it).
    """
    require_designation(
        acting_user, data_source.project, Designation.CONTRIBUTOR, "run data sources"
    )
    if not data_source.enabled:
        raise Conflict(f"Data source '{data_source.name}' is disabled; enable it to run it.")
    environment = data_source.environment
    if environment.status != EnvironmentStatus.ACTIVE:
        raise Conflict(
            f"Environment '{environment.name}' is {environment.get_status_display().lower()}; "
            "a data source runs once its environment is ACTIVE."
        )
    try:
        with transaction.atomic():
            run = DataSourceRun.objects.create(
                data_source=data_source, type=RunType.PRIORITIZED, requested_by=acting_user
            )
            _enqueue_run(run.pk)
    except IntegrityError:  # the partial unique index: one active run per source
        active = data_source.runs.filter(status__in=RunStatus.active()).first()
        if active is None:  # it finished in between; try once more
            return data_source_run_start(acting_user=acting_user, data_source=data_source)
        return active, False
    return run, True


def start_due_scheduled_runs(*, now=None) -> int:
    """Create the SCHEDULED runs whose time has come (from Celery beat).

    Safe with several beat processes: a slot is claimed by moving ``next_run_at``
    with compare-and-set, and the run's unique ``scheduled_for`` backs that up.
    """
    now = now or timezone.now()
    started = 0
    due = DataSource.objects.filter(
        enabled=True, next_run_at__lte=now, environment__status=EnvironmentStatus.ACTIVE
    ).exclude(schedule="")
    for data_source in due:
        slot = data_source.next_run_at
        following = next_run_after(
            data_source.schedule, data_source.schedule_timezone, max(now, slot)
        )
        with transaction.atomic():
            claimed = DataSource.objects.filter(pk=data_source.pk, next_run_at=slot).update(
                next_run_at=following
            )
            if not claimed:
                continue  # another beat took this slot
            try:
                with transaction.atomic():
                    run = DataSourceRun.objects.create(
                        data_source=data_source, type=RunType.SCHEDULED, scheduled_for=slot
                    )
            except IntegrityError:
                continue  # a run is still going, or this slot already has its run
            _enqueue_run(run.pk)
            started += 1
    return started


def sweep_stuck_runs(*, timeout_seconds: int, now=None) -> int:
    """Fail runs whose worker died (no heartbeat) or whose message was lost, each with
    its ``data_source_run.finished`` event."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=timeout_seconds)
    minutes = max(1, timeout_seconds // 60)
    stuck = {
        RunStatus.RUNNING: (
            {"heartbeat_at__lt": cutoff},
            f"The run made no progress for {minutes} minutes (its worker may have "
            "stopped). Tables processed before are kept; run it again.",
        ),
        RunStatus.REQUESTED: (
            {"created_at__lt": cutoff},
            f"No worker picked the run up within {minutes} minutes. Check that the "
            "Celery workers are running, then run it again.",
        ),
    }
    swept = 0
    for status, (condition, message) in stuck.items():
        with transaction.atomic():
            # Locked and skipped when locked: a run finishing right now is its worker's.
            runs = list(
                DataSourceRun.objects.filter(status=status, **condition)
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("data_source__project__domain", "requested_by")
            )
            if not runs:
                continue
            DataSourceRun.objects.filter(pk__in=[run.pk for run in runs], status=status).update(
                status=RunStatus.FAILED,
                error_type=RunErrorType.INTERNAL,
                error_message=message,
                finished_at=now,
                updated_at=now,
            )
            for run in runs:
                run.status, run.error_type = RunStatus.FAILED, RunErrorType.INTERNAL
                run.error_message, run.finished_at = message, now
                data_source_run_finished_record(run)
            swept += len(runs)
    return swept
