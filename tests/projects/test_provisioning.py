"""Environment provisioning against moto's server, read back through boto3."""

import pytest
from botocore.exceptions import ClientError

from projects import services
from projects.choices import EnvironmentStatus
from projects.models import Environment, Notification
from projects.tasks import provision_environment, sweep_stuck_environments
from tests.projects.conftest import profile_grant_role

pytestmark = pytest.mark.django_db(transaction=True)


def create_environment(owner, project, profile, name="Film Datasets S3"):
    # transaction=True: on_commit callbacks run, so the (eager) task provisions at once.
    return services.environment_create(
        acting_user=owner, project=project, profile=profile, name=name
    )


def test_data_lake_environment_is_provisioned_in_aws(
    aws, environment_bucket, owner, project, profile
):
    env = create_environment(owner, project, profile)
    env.refresh_from_db()

    assert env.status == EnvironmentStatus.ACTIVE, env.last_error
    assert env.last_error == ""
    assert set(env.provisioning_steps) == {
        "s3_location",
        "grant_role",
        "producer_glue_database",
        "consumer_glue_database",
        "athena_workgroup",
    }
    glue = aws.client("glue")
    producer = glue.get_database(Name=env.producer_glue_database)["Database"]
    consumer = glue.get_database(Name=env.consumer_glue_database)["Database"]
    assert producer["LocationUri"] == env.s3_location + "producer/"
    assert consumer["LocationUri"] == env.s3_location + "consumer/"
    assert env.producer_glue_database.startswith("film_catalog_project_film_datasets_s3_")
    bucket, _, key = env.s3_location.removeprefix("s3://").partition("/")
    assert bucket == "meshportal-environments"
    assert aws.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] == 0
    workgroup = aws.client("athena").get_work_group(WorkGroup=env.athena_workgroup)["WorkGroup"]
    assert (
        workgroup["Configuration"]["ResultConfiguration"]["OutputLocation"]
        == env.s3_location + "athena-results/"
    )
    role_name = env.grant_role_arn.rsplit("/", 1)[1]
    role = aws.client("iam").get_role(RoleName=role_name)["Role"]
    assert role["Arn"] == env.grant_role_arn
    assert Notification.objects.filter(recipient=owner, title__contains="is ready").count() == 1


def test_provisioning_again_reuses_existing_resources(
    aws, environment_bucket, owner, project, profile
):
    env = create_environment(owner, project, profile)
    Environment.objects.filter(pk=env.pk).update(status=EnvironmentStatus.CREATING)

    assert provision_environment(str(env.pk)) == "active"
    env.refresh_from_db()
    assert env.status == EnvironmentStatus.ACTIVE
    names = [db["Name"] for db in aws.client("glue").get_databases()["DatabaseList"]]
    assert sorted(names) == sorted([env.producer_glue_database, env.consumer_glue_database])


def test_missing_bucket_fails_with_an_actionable_message_and_retry_succeeds(
    aws, owner, project, profile
):
    env = create_environment(owner, project, profile)
    env.refresh_from_db()

    assert env.status == EnvironmentStatus.CREATE_FAILED
    assert "bucket 'meshportal-environments'" in env.last_error
    assert "DataLakeProfile" in env.last_error and "retry" in env.last_error
    assert Notification.objects.filter(
        recipient=owner, title__contains="could not be created"
    ).exists()

    aws.client("s3").create_bucket(Bucket="meshportal-environments")
    services.environment_retry(acting_user=owner, environment=env)
    env.refresh_from_db()
    assert env.status == EnvironmentStatus.ACTIVE
    assert env.attempts == 2
    assert env.last_error == ""


def test_profile_role_that_does_not_exist_fails_the_role_step(
    aws, environment_bucket, owner, project, profile
):
    profile.parameters = {
        **profile.parameters,
        "grant_role_arn": "arn:aws:iam::111111111111:role/Missing",
    }
    profile.save()
    env = create_environment(owner, project, profile)
    env.refresh_from_db()

    assert env.status == EnvironmentStatus.CREATE_FAILED
    assert "role 'Missing'" in env.last_error
    assert list(env.provisioning_steps) == ["s3_location"]


def test_profile_role_is_used_instead_of_creating_one(
    aws, environment_bucket, owner, project, profile
):
    arn = profile_grant_role(aws, profile)
    iam = aws.client("iam")
    env = create_environment(owner, project, profile)
    env.refresh_from_db()

    assert env.status == EnvironmentStatus.ACTIVE
    assert env.grant_role_arn == arn
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["DataZoneGrants"]


def test_stuck_environment_is_swept_to_failed(aws, owner, project, profile, settings):
    settings.ENVIRONMENT_PROVISIONING_TIMEOUT = 0
    env = Environment.objects.create(
        project=project, profile=profile, name="stuck", created_by=owner
    )
    from django.utils import timezone

    Environment.objects.filter(pk=env.pk).update(provisioning_started_at=timezone.now())
    assert sweep_stuck_environments() == 1
    env.refresh_from_db()
    assert env.status == EnvironmentStatus.CREATE_FAILED
    assert "did not finish" in env.last_error


def test_unreachable_aws_fails_with_a_message(owner, project, profile, moto_server, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr(
        "meshportal.aws.RETRY_CONFIG",
        __import__("botocore.config").config.Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    env = create_environment(owner, project, profile)
    env.refresh_from_db()
    assert env.status == EnvironmentStatus.CREATE_FAILED
    assert "could not be reached" in env.last_error


def test_retry_of_an_active_environment_is_a_conflict(
    aws, environment_bucket, owner, project, profile
):
    from meshportal.exceptions import Conflict

    env = create_environment(owner, project, profile)
    env.refresh_from_db()
    with pytest.raises(Conflict):
        services.environment_retry(acting_user=owner, environment=env)


def test_glue_rejects_nothing_about_derived_names(aws, environment_bucket, owner, project, profile):
    env = create_environment(owner, project, profile, name="Ünïcode & spaces / weird!!")
    env.refresh_from_db()
    assert env.status == EnvironmentStatus.ACTIVE, env.last_error
    try:
        aws.client("glue").get_database(Name=env.producer_glue_database)
    except ClientError as error:  # pragma: no cover - shows the name in the failure
        pytest.fail(f"{env.producer_glue_database}: {error}")


def test_a_second_delivery_while_the_first_provisions_leaves_it_alone(
    aws, environment_bucket, owner, project, profile
):
    """acks_late may deliver the message twice; the advisory lock keeps one worker on it."""
    from django.db import connections

    from meshportal.locks import advisory_lock

    env = Environment(project=project, profile=profile, name="locked", created_by=owner)
    for field, value in services.derive_resource_names(env).items():
        setattr(env, field, value)
    env.save()
    other = connections.create_connection("default")  # another worker's session
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(hashtext(%s))", [f"provision-environment:{env.pk}"]
            )
        assert provision_environment(str(env.pk)) == "busy"
        env.refresh_from_db()
        assert env.status == EnvironmentStatus.CREATING and env.provisioning_steps == {}
    finally:
        # The first worker finishes and lets go. Unlocking explicitly, not by closing the
        # session: the server ends a closed session's backend asynchronously, so under
        # load the lock could still be held a moment later.
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_unlock(hashtext(%s))", [f"provision-environment:{env.pk}"]
            )
        other.close()
    with advisory_lock(f"provision-environment:{env.pk}") as acquired:
        assert acquired
    result = provision_environment(str(env.pk))
    env.refresh_from_db()
    assert result == "active", env.last_error
