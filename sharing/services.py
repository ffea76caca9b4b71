"""Writes of the sharing app: grants follow subscriptions and environments; people retry
failed grants, report MANUAL ones done, and add or remove extra roles.

Every function runs under transaction.atomic and enqueues its tasks with
transaction.on_commit, so a rolled-back approval never reaches AWS.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Asset
from meshportal.exceptions import Conflict
from projects.choices import EnvironmentStatus
from projects.models import Environment
from projects.permissions import require_owner_or_platform_admin
from subscriptions.choices import SubscriptionStatus
from subscriptions.models import Subscription

from . import events, granting, specs
from .backends.lakeformation import ROLE_ARN
from .choices import MANUAL_TRANSITIONS, GrantBackend, GrantStatus
from .models import EnvironmentRole, SubscriptionGrant

MESSAGE_MAX_LENGTH = 2000
EXTRA_ROLES_MAX = 20


def _enqueue(task, grant_ids) -> None:
    """Run ``task`` for each grant after the commit. Grant tasks are debounced: one
    queued task claims every waiting grant when it starts (granting.py), so a burst of
    approvals queues a handful of tasks, not one per grant."""
    from .tasks import grant_fulfil

    ids = [str(i) for i in grant_ids]
    if not ids:
        return
    if task is grant_fulfil:
        transaction.on_commit(lambda: granting.enqueue(ids[0]))
    else:
        transaction.on_commit(lambda: [task.delay(i) for i in ids])


def _fitting_environments(project_id, asset_type):
    blueprint = specs.fitting_blueprint(asset_type)
    return Environment.objects.filter(
        project_id=project_id, status=EnvironmentStatus.ACTIVE, profile__blueprint=blueprint
    ).select_related("profile")


def _new_grant(subscription, asset, environment) -> SubscriptionGrant:
    return SubscriptionGrant(
        subscription=subscription,
        environment=environment,
        backend=specs.initial_backend(asset.type),
        lock_key=asset.external_identifier,
    )


def _insert(grants) -> list[SubscriptionGrant]:
    # ignore_conflicts: a grant that a concurrent call made first stays the only one.
    SubscriptionGrant.objects.bulk_create(grants, ignore_conflicts=True)
    # A concurrent transaction may have created one of them first (ignore_conflicts):
    # announce only the rows this transaction wrote.
    ours = set(
        SubscriptionGrant.objects.filter(pk__in=[g.pk for g in grants]).values_list("pk", flat=True)
    )
    for grant in grants:
        if grant.pk in ours:
            events.announce(grant)
    return grants


# savepoint=False: called inside the approving (or activating) transaction, whose
# failure rolls all of it back anyway; a savepoint would cost two round trips per approval.
@transaction.atomic(savepoint=False)
def grants_create_for_subscription(*, subscription) -> list[SubscriptionGrant]:
    """One grant per ACTIVE environment of the subscriber project that fits the asset.

    Called inside the approving transaction (subscription_approved), with the listing
    and project it already read. A project without a fitting environment is told why
    nothing was granted and what to create.
    """
    if "listing" not in subscription._state.fields_cache:
        subscription = Subscription.objects.select_related("listing", "project").get(
            pk=subscription.pk
        )
    asset = Asset.objects.only("type", "external_identifier").get(pk=subscription.listing.asset_id)
    blueprint = specs.fitting_blueprint(asset.type)
    environments = _fitting_environments(subscription.project_id, asset.type).exclude(
        grants__subscription=subscription
    )
    grants = _insert([_new_grant(subscription, asset, e) for e in environments])
    if not grants and blueprint is not None:
        from subscriptions.choices import SubscriptionEventKind
        from subscriptions.services import subscription_event_record

        subscription_event_record(
            subscription=subscription,
            kind=SubscriptionEventKind.GRANT,
            message=(
                f"Nothing was granted yet: project {subscription.project.name} has no ACTIVE "
                f"{blueprint} environment. Create one from a {blueprint} profile and access "
                "is granted there automatically."
            ),
            data={"missing_blueprint": blueprint},
        )
    from .tasks import grant_fulfil

    _enqueue(grant_fulfil, [g.pk for g in grants])
    return grants


@transaction.atomic(savepoint=False)
def grants_create_for_environment(*, environment_id) -> list[SubscriptionGrant]:
    """An environment that became ACTIVE gets grants for its project's subscriptions,
    in a constant number of queries however many there are."""
    environment = (
        Environment.objects.select_related("profile")
        .filter(pk=environment_id, status=EnvironmentStatus.ACTIVE)
        .first()
    )
    if environment is None:
        return []
    granted = set(
        SubscriptionGrant.objects.filter(environment=environment)
        .order_by()
        .values_list("subscription_id", flat=True)
    )
    subscriptions = Subscription.objects.filter(
        project_id=environment.project_id, status=SubscriptionStatus.APPROVED
    ).select_related("listing__asset")
    created = _insert(
        [
            _new_grant(subscription, subscription.listing.asset, environment)
            for subscription in subscriptions
            if subscription.pk not in granted
            and specs.fitting_blueprint(subscription.listing.asset.type) == environment.blueprint
        ]
    )
    from .tasks import grant_fulfil

    _enqueue(grant_fulfil, [g.pk for g in created])
    return created


@transaction.atomic
def grants_end_for_subscription(*, subscription, acting_user=None) -> list[SubscriptionGrant]:
    """The subscription ended: take access away in every environment.

    Rows are locked first, so a worker finishing a grant right now (IN_PROGRESS →
    GRANTED) waits for this transaction and then sees the subscription ended; an
    IN_PROGRESS grant is left to that worker, which revokes at once.
    """
    from .tasks import grant_revoke

    grants = list(
        SubscriptionGrant.objects.select_for_update()
        .filter(subscription_id=subscription.pk)
        .select_related("environment")
    )
    to_revoke = []
    now = timezone.now()
    running = [g.pk for g in grants if g.status == GrantStatus.IN_PROGRESS]
    if running:
        # Left to their workers, but touched: a worker's fast compare-and-set to GRANTED
        # requires the row as its claim left it, so it sees this end (fulfilment.mark_granted).
        SubscriptionGrant.objects.filter(pk__in=running).update(updated_at=now)
    for grant in grants:
        created_something = bool((grant.target or {}).get("steps")) or (
            (grant.target or {}).get("backend") == "REDSHIFT"
        )
        if grant.status == GrantStatus.GRANTED and grant.backend == GrantBackend.MANUAL:
            grant.status = GrantStatus.REVOKE_PENDING
            events.close_producer_tasks(grant)
            events.ask_producers(grant, revoke=True)
        elif grant.status in {GrantStatus.PENDING, GrantStatus.GRANT_FAILED}:
            if created_something and grant.backend != GrantBackend.MANUAL:
                grant.status = GrantStatus.REVOKE_PENDING
                to_revoke.append(grant.pk)
            else:
                grant.status = GrantStatus.REVOKED  # nothing was ever created
                grant.revoked_at = now
                events.close_producer_tasks(grant)
        elif grant.status in {GrantStatus.GRANTED, GrantStatus.REVOKE_FAILED}:
            grant.status = GrantStatus.REVOKE_PENDING
            to_revoke.append(grant.pk)
        else:
            continue  # IN_PROGRESS (its worker revokes) or already being revoked
        grant.attempts = 0
        grant.updated_by = acting_user
        grant.save(update_fields=["status", "revoked_at", "attempts", "updated_by", "updated_at"])
        events.record(grant, acting_user=acting_user, message=_end_message(grant))
    _enqueue(grant_revoke, to_revoke)
    return grants


def _end_message(grant) -> str:
    where = grant.environment.name
    if grant.status == GrantStatus.REVOKED:
        return f"Nothing to take away in {where}: access had not been granted."
    if grant.backend == GrantBackend.MANUAL:
        return f"The producing team is asked to take access away in {where}."
    return f"Taking access away in {where}."


@transaction.atomic
def grant_retry(*, acting_user, grant: SubscriptionGrant) -> SubscriptionGrant:
    """A failed grant (or revoke) is tried again, by an owner of either side."""
    from .tasks import grant_fulfil, grant_revoke

    subscription = grant.subscription
    require_owner_or_platform_admin(
        acting_user, [subscription.project, subscription.listing.project], "retry this grant"
    )
    if grant.backend == GrantBackend.MANUAL:
        raise Conflict("A manual grant is done by the producing team; it has nothing to retry.")
    moves = {
        GrantStatus.GRANT_FAILED: (GrantStatus.PENDING, grant_fulfil),
        GrantStatus.REVOKE_FAILED: (GrantStatus.REVOKE_PENDING, grant_revoke),
    }
    if grant.status not in moves:
        raise Conflict(f"Only a failed grant can be retried; this one is {grant.status}.")
    new, task = moves[grant.status]
    if new == GrantStatus.PENDING and subscription.status != SubscriptionStatus.APPROVED:
        raise Conflict("The subscription has ended; there is nothing to grant.")
    moved = SubscriptionGrant.objects.filter(pk=grant.pk, status=grant.status).update(
        status=new,
        attempts=0,
        next_attempt_at=None,  # due now: any grant task may take it
        updated_by=acting_user,
        updated_at=timezone.now(),
    )
    if not moved:
        raise Conflict("The grant changed meanwhile; reload and try again.")
    grant.status = new
    events.record(grant, acting_user=acting_user, message="Retry requested.")
    _enqueue(task, [grant.pk])
    return grant


@transaction.atomic
def grant_status_set(*, acting_user, grant: SubscriptionGrant, status: str, message: str = ""):
    """The producing team reports a MANUAL grant done (or failed, or revoked)."""
    require_owner_or_platform_admin(
        acting_user, [grant.subscription.listing.project], "report a manual grant"
    )
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": [f"At most {MESSAGE_MAX_LENGTH} characters."]})
    if status not in MANUAL_TRANSITIONS:
        raise ValidationError(
            {"status": [f"Must be one of {', '.join(sorted(MANUAL_TRANSITIONS))}."]}
        )
    if grant.backend != GrantBackend.MANUAL:
        raise Conflict("Only a MANUAL grant's status is set by hand; the portal runs this one.")
    allowed = MANUAL_TRANSITIONS[GrantStatus(status)]
    if grant.status not in allowed:
        raise Conflict(f"A grant that is {grant.status} cannot become {status}.")
    now = timezone.now()
    fields = {"status": status, "updated_by": acting_user, "updated_at": now}
    if status == GrantStatus.GRANTED:
        fields.update(granted_at=now, failure_cause="", failed_at=None)
    elif status == GrantStatus.REVOKED:
        fields.update(revoked_at=now, failure_cause="", failed_at=None)
    else:
        fields.update(
            failure_cause=message or "Reported failed by the producing team.", failed_at=now
        )
    if not SubscriptionGrant.objects.filter(pk=grant.pk, status=grant.status).update(**fields):
        raise Conflict("The grant changed meanwhile; reload and try again.")
    for name, value in fields.items():
        setattr(grant, name, value)
    if status in {GrantStatus.GRANTED, GrantStatus.REVOKED}:
        events.close_producer_tasks(grant)
    text = {
        GrantStatus.GRANTED: events.granted_message(grant),
        GrantStatus.GRANT_FAILED: f"The producing team could not grant access: {grant.failure_cause}",
        GrantStatus.REVOKED: f"The producing team took access away in {grant.environment.name}.",
        GrantStatus.REVOKE_FAILED: f"The producing team could not take access away: {grant.failure_cause}",
    }[GrantStatus(status)]
    if message and status in {GrantStatus.GRANTED, GrantStatus.REVOKED}:
        text = f"{text} {message}"
    events.record(grant, acting_user=acting_user, message=text, notify_consumer=True)
    return grant


# --- extra roles ---------------------------------------------------------------------------


def _live_lf_grants(environment):
    return SubscriptionGrant.objects.filter(
        environment=environment,
        backend=GrantBackend.LAKE_FORMATION,
        status=GrantStatus.GRANTED,
    ).values_list("pk", flat=True)


@transaction.atomic
def environment_role_add(
    *, acting_user, environment: Environment, role_arn: str
) -> EnvironmentRole:
    """An OWNER adds a role (ETL, BI) that gets the same permissions on every grant."""
    require_owner_or_platform_admin(
        acting_user, [environment.project], "add roles to its environments"
    )
    role_arn = (role_arn or "").strip()
    match = ROLE_ARN.match(role_arn) if len(role_arn) <= 2048 else None
    if match is None:
        raise ValidationError(
            {"role_arn": ["Enter an IAM role ARN (arn:aws:iam::<account>:role/<name>)."]}
        )
    if match.group(1) != environment.aws_account_id:
        raise ValidationError(
            {
                "role_arn": [
                    f"The role must be in the environment's account {environment.aws_account_id}."
                ]
            }
        )
    if environment.extra_roles.count() >= EXTRA_ROLES_MAX:
        raise ValidationError({"role_arn": [f"At most {EXTRA_ROLES_MAX} extra roles."]})
    role, created = EnvironmentRole.objects.get_or_create(
        environment=environment, role_arn=role_arn, defaults={"added_by": acting_user}
    )
    if created:
        from .tasks import grant_add_principals

        _enqueue(grant_add_principals, list(_live_lf_grants(environment)))
    return role


@transaction.atomic
def environment_role_remove(*, acting_user, role: EnvironmentRole) -> None:
    """Removing a role revokes what it received on every grant of the environment."""
    environment = role.environment
    require_owner_or_platform_admin(
        acting_user, [environment.project], "remove roles from its environments"
    )
    arn = role.role_arn
    role.delete()
    from .tasks import grant_remove_principal

    ids = [str(pk) for pk in _live_lf_grants(environment)]
    transaction.on_commit(lambda: [grant_remove_principal.delay(i, arn) for i in ids])


# --- environment deletion (used by the environment-deletion flow) --------------------------


@transaction.atomic
def grants_revoke_for_environment(*, environment, acting_user=None) -> list:
    """Take away every grant of an environment that is being deleted (before its
    resources go): the same path as an ended subscription, for this environment only.

    Returns the grants still to be revoked; the deletion waits until
    ``environment_grants_outstanding`` is False, and fails with their causes if any ends
    REVOKE_FAILED.
    """
    from .tasks import grant_revoke

    grants = list(
        SubscriptionGrant.objects.select_for_update()
        .filter(environment=environment)
        .exclude(status__in=[GrantStatus.REVOKED])
        .select_related("environment", "subscription__listing", "subscription__project")
    )
    to_revoke = []
    for grant in grants:
        created = bool((grant.target or {}).get("steps")) or (
            (grant.target or {}).get("backend") == "REDSHIFT"
        )
        if grant.status in {GrantStatus.IN_PROGRESS, GrantStatus.REVOKE_IN_PROGRESS}:
            continue  # its worker finishes first; the deletion waits for it
        if grant.backend == GrantBackend.MANUAL or not created:
            if grant.backend == GrantBackend.MANUAL and grant.status == GrantStatus.GRANTED:
                grant.status = GrantStatus.REVOKE_PENDING
                events.ask_producers(grant, revoke=True)
            else:
                grant.status = GrantStatus.REVOKED
                grant.revoked_at = timezone.now()
                events.close_producer_tasks(grant)
        else:
            grant.status = GrantStatus.REVOKE_PENDING
            to_revoke.append(grant.pk)
        grant.attempts = 0
        grant.updated_by = acting_user
        grant.save(update_fields=["status", "revoked_at", "attempts", "updated_by", "updated_at"])
        events.record(
            grant,
            acting_user=acting_user,
            message=f"Environment {environment.name} is being deleted: {_end_message(grant)}",
        )
    _enqueue(grant_revoke, to_revoke)
    return [g for g in grants if g.status != GrantStatus.REVOKED]


def environment_grants_outstanding(*, environment_id) -> list:
    """Ids of the environment's grants not yet REVOKED (what its deletion waits for)."""
    return list(
        SubscriptionGrant.objects.filter(environment_id=environment_id)
        .exclude(status=GrantStatus.REVOKED)
        .values_list("pk", flat=True)
    )
