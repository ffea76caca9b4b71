"""Environment deletion against moto's server, read back through boto3.

Tasks run eagerly in this process, on commit (transaction=True), exactly as the services
enqueue them; grants are the sharing app's, reached only through projects' signals.
"""

import pytest
from botocore.exceptions import ClientError
from django.db import connection
from django.utils import timezone

from meshportal.exceptions import Conflict
from projects import services
from projects.choices import EnvironmentStatus
from projects.models import Environment, Notification
from projects.signals import environment_deleting, environment_grants_outstanding
from projects.tasks import deprovision_environment, sweep_stuck_environments
from tests.catalog.throttling_proxy import AwsProxy
from tests.projects.conftest import profile_grant_role

pytestmark = pytest.mark.django_db(transaction=True)

DELETE_DATABASE = "AWSGlue.DeleteDatabase"


@pytest.fixture
def active(aws, environment_bucket, owner, project, profile):
    """An ACTIVE data lake environment, with a file in its prefix as producers leave one."""
    environment = services.environment_create(
        acting_user=owner, project=project, profile=profile, name="Film Datasets S3"
    )
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE, environment.last_error
    bucket, prefix = split(environment.s3_location)
    s3 = aws.client("s3")
    s3.put_object(Bucket=bucket, Key=prefix + "producer/films/part-0.parquet", Body=b"x" * 10)
    s3.put_object(Bucket=bucket, Key=prefix + "athena-results/q1.csv", Body=b"a,b")
    return environment


def split(location):
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    return bucket, prefix


def keys_under(aws, location) -> list[str]:
    bucket, prefix = split(location)
    answer = aws.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [item["Key"] for item in answer.get("Contents", [])]


def glue_database_exists(aws, name) -> bool:
    try:
        aws.client("glue").get_database(Name=name)
    except ClientError as error:
        assert error.response["Error"]["Code"] == "EntityNotFoundException"
        return False
    return True


def role_exists(aws, arn) -> bool:
    try:
        aws.client("iam").get_role(RoleName=arn.rsplit("/", 1)[1])
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchEntity"
        return False
    return True


def workgroup_names(aws) -> list[str]:
    return [wg["Name"] for wg in aws.client("athena").list_work_groups()["WorkGroups"]]


def assert_everything_gone(aws, environment):
    assert not glue_database_exists(aws, environment.producer_glue_database)
    assert not glue_database_exists(aws, environment.consumer_glue_database)
    assert environment.athena_workgroup not in workgroup_names(aws)
    assert not role_exists(aws, environment.grant_role_arn)
    assert keys_under(aws, environment.s3_location) == []


def test_deleting_an_environment_removes_what_provisioning_created(aws, owner, active):
    bucket, _ = split(active.s3_location)
    aws.client("s3").put_object(Bucket=bucket, Key="meshportal/other-team/keep.csv", Body=b"1")
    assert glue_database_exists(aws, active.producer_glue_database)
    assert active.athena_workgroup in workgroup_names(aws)

    returned = services.environment_delete(acting_user=owner, environment=active)
    assert returned.status == EnvironmentStatus.DELETING  # what the API answers with
    active.refresh_from_db()

    assert active.status == EnvironmentStatus.DELETED, active.last_error
    assert active.deleted_at is not None and active.deleted_by == owner
    assert set(active.deletion_steps) == {
        "revoke_grants",
        "athena_workgroup",
        "consumer_glue_database",
        "producer_glue_database",
        "grant_role",
        "s3_location",
    }
    assert_everything_gone(aws, active)
    # Only the environment's own prefix was emptied; the bucket and others' files stay.
    assert keys_under(aws, f"s3://{bucket}/meshportal/other-team/") == [
        "meshportal/other-team/keep.csv"
    ]
    assert Notification.objects.filter(recipient=owner, title__contains="is deleted").count() == 1


def test_a_second_run_and_resources_already_gone_are_fine(aws, owner, active):
    # Someone removed half of it by hand before the owner deleted the environment.
    aws.client("glue").delete_database(Name=active.producer_glue_database)
    aws.client("athena").delete_work_group(
        WorkGroup=active.athena_workgroup, RecursiveDeleteOption=True
    )

    services.environment_delete(acting_user=owner, environment=active)
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETED, active.last_error
    assert_everything_gone(aws, active)

    # A message delivered twice finds it DELETED and does nothing.
    assert deprovision_environment(str(active.pk)) == "skipped"
    # Even forced back to DELETING, every step accepts "already gone".
    Environment.objects.filter(pk=active.pk).update(status=EnvironmentStatus.DELETING)
    assert deprovision_environment(str(active.pk)) == "deleted"
    # Asking to delete again changes nothing.
    again = services.environment_delete(acting_user=owner, environment=active)
    assert again.status == EnvironmentStatus.DELETED
    assert Notification.objects.filter(recipient=owner, title__contains="is deleted").count() == 2


def created(owner, project, profile, name, status):
    """An environment created (provisioned eagerly) that ended in ``status``."""
    environment = services.environment_create(
        acting_user=owner, project=project, profile=profile, name=name
    )
    environment.refresh_from_db()
    assert environment.status == status, environment.last_error
    return environment


def deleted(owner, environment):
    """Delete ``environment`` (eagerly) and check it is DELETED."""
    services.environment_delete(acting_user=owner, environment=environment)
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DELETED, environment.last_error


def test_a_grant_role_named_by_the_profile_is_left_in_place(
    aws, environment_bucket, owner, project, profile
):
    arn = profile_grant_role(aws, profile)
    environment = created(owner, project, profile, "lake", EnvironmentStatus.ACTIVE)

    deleted(owner, environment)

    assert role_exists(aws, arn)
    assert not glue_database_exists(aws, environment.producer_glue_database)


def test_a_failed_environment_is_deleted_with_what_it_got_to_create(aws, owner, project, profile):
    # No bucket: provisioning stops at its first step.
    environment = created(owner, project, profile, "half", EnvironmentStatus.CREATE_FAILED)

    deleted(owner, environment)
    # Its name is free again for a new environment of the project.
    aws.client("s3").create_bucket(Bucket="meshportal-environments")
    created(owner, project, profile, "half", EnvironmentStatus.ACTIVE)


def test_access_denied_fails_the_deletion_and_a_retry_finishes_it(aws, owner, active, monkeypatch):
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        proxy.fail(
            DELETE_DATABASE,
            "AccessDeniedException",
            "User: arn:aws:iam::111111111111:user/portal is not authorized to perform: "
            "glue:DeleteDatabase",
        )
        services.environment_delete(acting_user=owner, environment=active)
        active.refresh_from_db()

        assert active.status == EnvironmentStatus.DELETE_FAILED
        assert "Removing Consumer Glue database: access denied in account 111111111111" in (
            active.last_error
        )
        assert "glue:DeleteDatabase" in active.last_error
        assert "Ask a platform admin" in active.last_error
        assert proxy.count(DELETE_DATABASE) == 1  # permanent: not retried
        # What came before the failing step is gone, the rest is still there.
        assert list(active.deletion_steps) == ["revoke_grants", "athena_workgroup"]
        assert glue_database_exists(aws, active.consumer_glue_database)
        assert Notification.objects.filter(
            recipient=owner, title__contains="could not be deleted"
        ).exists()

    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)  # the admin fixed the policy
    services.environment_delete(acting_user=owner, environment=active)
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETED, active.last_error
    assert_everything_gone(aws, active)


def test_only_owners_delete_and_a_creating_environment_is_a_conflict(
    aws, owner, contributor, project, profile
):
    from django.core.exceptions import PermissionDenied

    environment = Environment.objects.create(
        project=project, profile=profile, name="busy", created_by=owner
    )
    with pytest.raises(PermissionDenied, match="Only a project owner can delete environments"):
        services.environment_delete(acting_user=contributor, environment=environment)
    with pytest.raises(Conflict, match="wait until provisioning has finished"):
        services.environment_delete(acting_user=owner, environment=environment)
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.CREATING


def test_environment_deleting_is_sent_inside_the_transaction_that_sets_deleting(aws, owner, active):
    seen = []

    def receiver(sender, environment_id, **kwargs):
        # The sharing app moves grants to REVOKE_PENDING here: it must see DELETING and
        # write in the same transaction, before the deletion task can run.
        seen.append(
            (
                environment_id,
                connection.in_atomic_block,
                Environment.objects.get(pk=environment_id).status,
                Environment.objects.get(pk=environment_id).deletion_steps,
            )
        )

    environment_deleting.connect(receiver)
    try:
        services.environment_delete(acting_user=owner, environment=active)
    finally:
        environment_deleting.disconnect(receiver)
    assert seen == [(active.pk, True, EnvironmentStatus.DELETING, {})]


@pytest.fixture
def memory_broker(settings):
    """Tasks are published as messages (eager mode off) to Celery's in-memory transport,
    where no worker consumes them: the test sees each message and delivers it itself."""
    import kombu.pools
    from celery.signals import after_task_publish

    from meshportal.celery import app

    def reset_pools():
        kombu.pools.reset()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    published = []

    def on_publish(sender, headers, body, **kwargs):
        # Only the projects app's tasks: the events a deletion records also publish the
        # outbox's fan-out (webhooks), which these tests do not follow.
        if sender.startswith("projects."):
            published.append({"task": sender, "args": body[0], "eta": headers.get("eta")})

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://localhost/"
    # The app's own settings too: a fixture may have set them on the app directly.
    app.conf.broker_url, app.conf.task_always_eager = "memory://localhost/", False
    reset_pools()
    after_task_publish.connect(on_publish)
    try:
        yield published
    finally:
        after_task_publish.disconnect(on_publish)
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_pools()


def test_deletion_waits_while_grants_are_outstanding(aws, owner, active, memory_broker):
    """With a worker to come back, the task re-schedules itself (a message with an ETA)
    and removes nothing until every receiver says the grants are revoked."""
    answers = [True, ["grant-1"], 0]
    observed = []

    def grants_outstanding(sender, environment_id, **kwargs):
        observed.append(environment_id)
        return answers.pop(0)

    environment_grants_outstanding.connect(grants_outstanding)
    try:
        services.environment_delete(acting_user=owner, environment=active)
        # The service published the first message on commit; the "worker" runs it.
        assert [m["eta"] for m in memory_broker] == [None]
        assert deprovision_environment(str(active.pk)) == "waiting"
        assert deprovision_environment(str(active.pk)) == "waiting"
        active.refresh_from_db()
        assert active.status == EnvironmentStatus.DELETING
        assert active.deletion_steps == {}
        assert glue_database_exists(aws, active.producer_glue_database)
        assert deprovision_environment(str(active.pk)) == "deleted"
    finally:
        environment_grants_outstanding.disconnect(grants_outstanding)

    assert observed == [active.pk] * 3
    # Each "not yet" published the task again, for later (the countdown becomes an ETA).
    assert [m["task"] for m in memory_broker] == ["projects.tasks.deprovision_environment"] * 3
    assert all(list(m["args"]) == [str(active.pk)] for m in memory_broker)
    assert memory_broker[1]["eta"] and memory_broker[2]["eta"]
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETED, active.last_error
    assert_everything_gone(aws, active)


def test_without_a_worker_outstanding_grants_fail_the_deletion_and_retry_proceeds(
    aws, owner, active
):
    """Eager tasks (the demo) cannot come back later: the deletion fails saying what to
    look at, removes nothing, and the owner's retry proceeds once grants are revoked."""
    still_revoking = [True]

    def grants_outstanding(sender, environment_id, **kwargs):
        return still_revoking[0]

    environment_grants_outstanding.connect(grants_outstanding)
    try:
        services.environment_delete(acting_user=owner, environment=active)
        active.refresh_from_db()
        assert active.status == EnvironmentStatus.DELETE_FAILED
        assert "Subscription grants of this environment are still being revoked" in (
            active.last_error
        )
        assert active.deletion_steps == {}
        assert glue_database_exists(aws, active.producer_glue_database)

        still_revoking[0] = False
        services.environment_delete(acting_user=owner, environment=active)
    finally:
        environment_grants_outstanding.disconnect(grants_outstanding)
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETED, active.last_error


def test_waiting_past_the_timeout_fails_the_deletion(aws, owner, active, settings, memory_broker):
    settings.ENVIRONMENT_PROVISIONING_TIMEOUT = 60

    def grants_outstanding(sender, environment_id, **kwargs):
        return True

    environment_grants_outstanding.connect(grants_outstanding)
    try:
        services.environment_delete(acting_user=owner, environment=active)
        # Two minutes pass while the revokes are stuck.
        Environment.objects.filter(pk=active.pk).update(
            deletion_started_at=timezone.now() - timezone.timedelta(minutes=2)
        )
        assert deprovision_environment(str(active.pk)) == "failed"
    finally:
        environment_grants_outstanding.disconnect(grants_outstanding)
    assert len(memory_broker) == 1  # not published again
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETE_FAILED
    assert "still being revoked after 1 minutes" in active.last_error
    assert glue_database_exists(aws, active.producer_glue_database)


def test_a_stuck_deletion_is_swept_to_failed_and_retry_finishes_it(aws, owner, active, settings):
    settings.ENVIRONMENT_PROVISIONING_TIMEOUT = 0
    # The worker died after the grants were revoked and one resource was removed.
    Environment.objects.filter(pk=active.pk).update(
        status=EnvironmentStatus.DELETING,
        deletion_started_at=timezone.now(),
        deletion_steps={"revoke_grants": timezone.now().isoformat()},
        deleted_by=owner,
    )
    assert sweep_stuck_environments() == 1
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETE_FAILED
    assert "Deletion did not finish within 0 minutes" in active.last_error

    settings.ENVIRONMENT_PROVISIONING_TIMEOUT = 1800
    services.environment_delete(acting_user=owner, environment=active)
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETED, active.last_error
    assert_everything_gone(aws, active)


def test_a_sweep_while_grants_are_outstanding_says_so(aws, owner, active, settings):
    settings.ENVIRONMENT_PROVISIONING_TIMEOUT = 0
    Environment.objects.filter(pk=active.pk).update(
        status=EnvironmentStatus.DELETING, deletion_started_at=timezone.now()
    )
    assert sweep_stuck_environments() == 1
    active.refresh_from_db()
    assert active.status == EnvironmentStatus.DELETE_FAILED
    assert "subscription grants were not all revoked" in active.last_error
