"""Provisioning through a real Celery worker process on a real Redis.

The task travels as a message: the test process enqueues it (after commit), Redis holds
it, `celery worker` runs it against this test's database and moto's server, and the
test reads the outcome back from the database and from AWS.
"""

import re
import time
import uuid

import pytest

from projects import services
from projects.choices import EnvironmentStatus
from projects.models import Environment, Notification
from projects.services import derive_resource_names
from projects.tasks import provision_environment
from tests.projects.factories import ProjectFactory, ProjectMembershipFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until_settled(environment_id, timeout: float = 60) -> Environment:
    """Poll the database until provisioning leaves CREATING (or the deadline passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        environment = Environment.objects.get(pk=environment_id)
        if environment.status != EnvironmentStatus.CREATING:
            return environment
        time.sleep(0.2)
    return Environment.objects.get(pk=environment_id)


def wait_for_log(worker, text: str, count: int, timeout: float = 60) -> str:
    """The worker's log once ``text`` appears ``count`` times in it."""
    deadline = time.monotonic() + timeout
    while True:
        log = worker.log_path.read_text(errors="replace")
        if log.count(text) >= count or time.monotonic() > deadline:
            return log
        time.sleep(0.2)


def test_a_worker_provisions_an_environment_end_to_end(
    celery_worker, environment_bucket, aws, owner, project, profile
):
    environment = services.environment_create(
        acting_user=owner, project=project, profile=profile, name="Film Datasets S3"
    )
    # The service enqueued the message on commit; nothing ran in this process.
    assert Environment.objects.get(pk=environment.pk).provisioning_steps == {}

    environment = wait_until_settled(environment.pk)

    assert environment.status == EnvironmentStatus.ACTIVE, (
        environment.last_error or celery_worker.log_path.read_text()[-3000:]
    )
    glue = aws.client("glue")
    assert glue.get_database(Name=environment.producer_glue_database)["Database"]["Name"]
    assert glue.get_database(Name=environment.consumer_glue_database)["Database"]["Name"]
    assert len(environment.provisioning_steps) == 5
    assert Notification.objects.filter(recipient=owner, title__contains="is ready").count() == 1
    # The worker logs the task's end a moment after its last commit (later on a loaded
    # machine): wait for the line instead of reading the log once.
    log = wait_for_log(celery_worker, "succeeded", 1)
    assert "projects.tasks.provision_environment[" in log and "succeeded" in log


def test_a_message_delivered_twice_provisions_once(
    celery_worker, environment_bucket, aws, owner, profile
):
    project = ProjectFactory(domain=profile.domain, name="marketing-team-analysis")
    ProjectMembershipFactory(project=project, user=owner, designation="OWNER")
    environment = Environment(
        id=uuid.uuid4(),
        project=project,
        profile=profile,
        name="marketing-team-datalake",
        created_by=owner,
        status=EnvironmentStatus.CREATING,
        attempts=1,
    )
    for field, value in derive_resource_names(environment).items():
        setattr(environment, field, value)
    environment.save(force_insert=True)

    first = provision_environment.delay(str(environment.pk))
    second = provision_environment.delay(str(environment.pk))
    log = wait_for_log(celery_worker, "succeeded", count=2)

    outcomes = {
        task_id: re.search(rf"provision_environment\[{task_id}\] succeeded in \S+ '(\w+)'", log)
        for task_id in (first.id, second.id)
    }
    assert all(outcomes.values()), log[-3000:]
    # The first delivery did the work; the second found it done and returned quietly.
    assert [outcomes[first.id].group(1), outcomes[second.id].group(1)] == ["active", "skipped"]
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE
    assert Environment.objects.filter(project=project).count() == 1
    assert Notification.objects.filter(recipient=owner, title__contains="is ready").count() == 1
    databases = [d["Name"] for d in aws.client("glue").get_databases()["DatabaseList"]]
    assert sorted(databases) == sorted(
        [environment.producer_glue_database, environment.consumer_glue_database]
    )
