"""Scenario steps 10-12 through the services and (eager) tasks, against moto: approve →
GRANTED and Lake Formation agrees; unmanaged → MANUAL done by the film owner; revoke →
REVOKED and the permission gone; faults, the sweep, races, roles and drift."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from projects.choices import NotificationKind, TaskStatus
from projects.models import Notification
from sharing import granting, maintenance, services
from sharing.choices import GrantBackend, GrantStatus
from sharing.models import DriftFinding, SubscriptionGrant
from subscriptions.choices import SubscriptionEventKind
from subscriptions.services import subscription_revoke
from tests.catalog.throttling_proxy import AwsProxy
from tests.sharing.conftest import CONSUMER_ROLE_SAME, PRODUCER, table_permissions

pytestmark = pytest.mark.django_db(transaction=True)

FILM = ("curatedzonedb", "film_category")


def film_permissions(aws):
    return table_permissions(aws.client("lakeformation"), PRODUCER, *FILM)


def grant_of(subscription) -> SubscriptionGrant:
    return SubscriptionGrant.objects.get(subscription=subscription)


def timeline(subscription) -> list[str]:
    return list(
        subscription.events.filter(kind=SubscriptionEventKind.GRANT)
        .order_by("created_at")
        .values_list("message", flat=True)
    )


def test_approve_grants_at_once_and_lake_formation_agrees(
    lake, listing, consumer_project, consumer_environment, approve, consumer
):
    subscription = approve(listing, consumer_project)

    grant = grant_of(subscription)
    assert grant.status == GrantStatus.GRANTED, grant.failure_cause
    assert grant.backend == GrantBackend.LAKE_FORMATION
    assert grant.attempts == 1
    assert grant.granted_at is not None
    assert film_permissions(lake) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
    assert grant.target["resource_link"]["name"] == "film_category"
    assert 'SELECT * FROM "marketing_sub_db"."film_category" LIMIT 10' in timeline(subscription)[-1]
    note = Notification.objects.get(recipient=consumer, topic="GRANT")
    assert "meshportal-marketing-lake" in note.body


def test_an_unmanaged_table_is_manual_and_done_by_the_film_owner(
    aws, listing, consumer_project, consumer_environment, approve, owner
):
    # No registered location: IAM and S3 govern the table.
    subscription = approve(listing, consumer_project)

    grant = grant_of(subscription)
    assert (grant.backend, grant.status) == (GrantBackend.MANUAL, GrantStatus.PENDING)
    assert "not managed by Lake Formation" in grant.manual_reason
    task = Notification.objects.get(
        recipient=owner, kind=NotificationKind.TASK, topic="MANUAL_GRANT"
    )
    assert task.task_status == TaskStatus.ACTIVE

    services.grant_status_set(
        acting_user=owner, grant=grant, status=GrantStatus.GRANTED, message="Bucket policy set."
    )

    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED
    task.refresh_from_db()
    assert task.task_status == TaskStatus.INACTIVE
    assert "Bucket policy set." in timeline(subscription)[-1]

    # Revoking asks the producers to take it away; they report it done.
    subscription_revoke(acting_user=owner, subscription=subscription, reason="Project over")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKE_PENDING
    assert Notification.objects.filter(
        recipient=owner, topic="MANUAL_GRANT", task_status=TaskStatus.ACTIVE
    ).exists()
    services.grant_status_set(acting_user=owner, grant=grant, status=GrantStatus.REVOKED)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED


def test_revoke_takes_the_permission_away(
    lake, listing, consumer_project, consumer_environment, approve, owner
):
    subscription = approve(listing, consumer_project)
    assert film_permissions(lake)

    subscription_revoke(acting_user=owner, subscription=subscription, reason="Project over")

    grant = grant_of(subscription)
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert grant.revoked_at is not None
    assert film_permissions(lake) == {}
    with pytest.raises(lake.client("glue").exceptions.EntityNotFoundException):
        lake.client("glue").get_table(DatabaseName="marketing_sub_db", Name="film_category")
    assert "was taken away" in timeline(subscription)[-1]


def test_no_fitting_environment_says_what_to_create_and_a_later_one_gets_the_grant(
    lake, listing, consumer_project, approve, profile
):
    from projects.models import Environment
    from projects.signals import environment_activated
    from tests.projects.factories import EnvironmentFactory

    subscription = approve(listing, consumer_project)
    assert not SubscriptionGrant.objects.filter(subscription=subscription).exists()
    assert "has no ACTIVE DATA_LAKE environment" in timeline(subscription)[-1]

    environment = EnvironmentFactory(
        project=consumer_project,
        profile=profile,
        grant_role_arn=CONSUMER_ROLE_SAME,
        consumer_glue_database="marketing_sub_db",
    )
    environment_activated.send(sender=Environment, environment_id=environment.pk)

    grant = grant_of(subscription)
    assert grant.environment == environment
    assert grant.status == GrantStatus.GRANTED
    assert film_permissions(lake)
    # Sent twice (a retried message), nothing more is created.
    environment_activated.send(sender=Environment, environment_id=environment.pk)
    assert SubscriptionGrant.objects.filter(subscription=subscription).count() == 1


def test_access_denied_fails_with_the_reason_and_a_retry_after_the_fix_grants(
    lake, listing, consumer_project, consumer_environment, approve, owner, monkeypatch, consumer
):
    with AwsProxy(lake.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        proxy.fail(
            "/BatchGrantPermissions",
            "AccessDeniedException",
            "Insufficient Lake Formation permission(s)",
        )
        subscription = approve(listing, consumer_project)

        grant = grant_of(subscription)
        assert grant.status == GrantStatus.GRANT_FAILED
        assert "data lake administrator" in grant.failure_cause
        assert grant.failed_at is not None
        assert "failed" in timeline(subscription)[-1]
        assert Notification.objects.filter(recipient=consumer, title__contains="failed").exists()

        proxy._failures.clear()  # the platform admin fixed the portal's permissions
        services.grant_retry(acting_user=owner, grant=grant)

    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED
    assert grant.failure_cause == ""
    assert film_permissions(lake) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}


def test_throttling_is_retried_and_the_grant_succeeds(
    lake, listing, consumer_project, consumer_environment, approve, monkeypatch
):
    with AwsProxy(lake.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        proxy.fail("/BatchGrantPermissions", "ThrottlingException", "Rate exceeded", times=3)
        subscription = approve(listing, consumer_project)
        assert proxy.count("/BatchGrantPermissions", "ThrottlingException") == 3

    assert grant_of(subscription).status == GrantStatus.GRANTED


def test_a_grant_stuck_in_progress_is_swept_and_completed_once(
    lake,
    listing,
    consumer_project,
    consumer_environment,
    approve,
    django_capture_on_commit_callbacks,
):
    # The worker took the grant and died before AWS answered (its partial work undone).
    subscription = approve(listing, consumer_project)
    grant = grant_of(subscription)
    SubscriptionGrant.objects.filter(pk=grant.pk).update(
        status=GrantStatus.IN_PROGRESS,
        started_at=timezone.now() - timedelta(hours=1),
        target={},
    )
    lake.client("lakeformation").revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": CONSUMER_ROLE_SAME},
        Resource={"Table": {"CatalogId": PRODUCER, "DatabaseName": FILM[0], "Name": FILM[1]}},
        Permissions=["SELECT", "DESCRIBE"],
    )
    # A fresh one is left alone.
    assert maintenance.sweep_stuck(now=timezone.now() - timedelta(hours=2))["IN_PROGRESS"] == 0

    counts = maintenance.sweep_stuck()

    assert counts["IN_PROGRESS"] == 1
    grant.refresh_from_db()
    assert grant.status == GrantStatus.GRANTED
    assert film_permissions(lake) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
    assert granting.fulfil(grant.pk) == "nothing to do"  # a second delivery does nothing


def test_a_subscription_ended_while_granting_is_revoked_by_the_granting_worker(
    lake, listing, consumer_project, consumer_environment, approve, owner, monkeypatch
):
    """Approve and revoke racing: the revoke commits while AWS is still granting."""
    real_run = granting._run_batch

    def run_then_revoke(batch):
        targets = real_run(batch)
        [(grant, _spec)] = batch
        # Another request revokes the subscription meanwhile (its own transaction).
        subscription_revoke(
            acting_user=owner, subscription=grant.subscription, reason="Changed my mind"
        )
        return targets

    monkeypatch.setattr(granting, "_run_batch", run_then_revoke)
    subscription = approve(listing, consumer_project)

    grant = grant_of(subscription)
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert film_permissions(lake) == {}


def test_an_extra_role_gets_every_grant_and_loses_it_when_removed(
    lake, listing, consumer_project, consumer_environment, approve, consumer
):
    subscription = approve(listing, consumer_project)
    etl = f"arn:aws:iam::{PRODUCER}:role/marketing-etl"

    role = services.environment_role_add(
        acting_user=consumer, environment=consumer_environment, role_arn=etl
    )
    assert set(film_permissions(lake)) == {CONSUMER_ROLE_SAME, etl}
    assert etl in grant_of(subscription).target["principals"]

    services.environment_role_remove(acting_user=consumer, role=role)
    assert set(film_permissions(lake)) == {CONSUMER_ROLE_SAME}


def test_extra_roles_are_checked(consumer_environment, consumer, owner):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        services.environment_role_add(
            acting_user=consumer, environment=consumer_environment, role_arn="arn:aws:iam::x"
        )
    with pytest.raises(ValidationError):
        services.environment_role_add(
            acting_user=consumer,
            environment=consumer_environment,
            role_arn="arn:aws:iam::222222222222:role/elsewhere",
        )
    with pytest.raises(PermissionDenied):
        services.environment_role_add(
            acting_user=owner,
            environment=consumer_environment,
            role_arn=f"arn:aws:iam::{PRODUCER}:role/x",
        )


def test_drift_is_repaired_and_unexplained_permissions_are_reported(
    lake, listing, consumer_project, consumer_environment, approve, capsys, producer_environment
):
    producer_environment.grant_role_arn = f"arn:aws:iam::{PRODUCER}:role/meshportal/mp-film-lake"
    producer_environment.save()
    subscription = approve(listing, consumer_project)
    lf = lake.client("lakeformation")
    film = {"Table": {"CatalogId": PRODUCER, "DatabaseName": FILM[0], "Name": FILM[1]}}
    lf.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": CONSUMER_ROLE_SAME},
        Resource=film,
        Permissions=["SELECT"],
    )
    call_command("reconcile_grants", "--dry-run")
    assert "would re-grant" in capsys.readouterr().out
    assert film_permissions(lake) == {CONSUMER_ROLE_SAME: (["DESCRIBE"], [])}

    call_command("reconcile_grants")

    assert film_permissions(lake) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}
    assert "granted them again" in timeline(subscription)[-1]
    # By hand, someone gives the film team's own environment role SELECT on the table:
    # a portal-managed role that no grant explains. Reported, not removed.
    lf.grant_permissions(
        Principal={"DataLakePrincipalIdentifier": producer_environment.grant_role_arn},
        Resource=film,
        Permissions=["SELECT"],
    )
    call_command("reconcile_grants")
    finding = DriftFinding.objects.get(resolved_at=None)
    assert finding.principal == producer_environment.grant_role_arn
    assert finding.permissions == ["SELECT"]
    assert producer_environment.grant_role_arn in film_permissions(lake)

    # Gone from Lake Formation: the next pass resolves the finding.
    lf.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": producer_environment.grant_role_arn},
        Resource=film,
        Permissions=["SELECT"],
    )
    call_command("reconcile_grants")
    finding.refresh_from_db()
    assert finding.resolved_at is not None
