"""Environments write ``environment.active|failed|deleted`` with their status change
(provisioning and deletion against moto's server)."""

import pytest
from django.db import transaction

from meshportal.events import EventType
from projects import services, tasks
from projects.choices import EnvironmentStatus
from projects.models import Environment
from projects.tasks import provision_environment
from tests.catalog.throttling_proxy import AwsProxy
from tests.projects.factories import EnvironmentFactory

from .conftest import events_of, the_event

pytestmark = pytest.mark.django_db(transaction=True)


def _create(owner, project, profile):
    environment = services.environment_create(
        acting_user=owner, project=project, profile=profile, name="Film Datasets S3"
    )
    environment.refresh_from_db()
    return environment


def _common(event, environment, status):
    project = environment.project
    assert event.domain_id == project.domain_id and event.project_ids == [project.pk]
    assert event.payload["environment"]["id"] == str(environment.pk)
    assert event.payload["environment"]["name"] == "Film Datasets S3"
    assert event.payload["environment"]["status"] == status
    assert event.payload["project"] == {"id": str(project.pk), "name": "Film Catalog Project"}
    assert event.payload["domain"] == {"id": str(project.domain_id), "name": "streaming"}
    assert event.payload["environment_profile"] == {
        "id": str(environment.profile_id),
        "name": "DataLakeProfile",
    }
    assert event.actor is None  # the portal's worker did it


def test_provisioning_writes_environment_active_once(
    aws, environment_bucket, owner, project, profile
):
    environment = _create(owner, project, profile)
    assert environment.status == EnvironmentStatus.ACTIVE

    _common(the_event(EventType.ENVIRONMENT_ACTIVE), environment, "ACTIVE")
    # A message delivered again finds nothing to do and writes nothing.
    assert provision_environment(str(environment.pk)) == "skipped"
    assert len(events_of(EventType.ENVIRONMENT_ACTIVE)) == 1


def test_a_failed_provisioning_writes_environment_failed(aws, owner, project, profile):
    environment = _create(owner, project, profile)  # no bucket: provisioning fails
    assert environment.status == EnvironmentStatus.CREATE_FAILED

    event = the_event(EventType.ENVIRONMENT_FAILED)
    _common(event, environment, "CREATE_FAILED")
    assert event.payload["environment"]["operation"] == "CREATE"
    assert event.payload["environment"]["last_error"] == environment.last_error != ""
    assert events_of(EventType.ENVIRONMENT_ACTIVE) == []


def test_deletion_writes_failed_then_deleted(
    aws, environment_bucket, owner, project, profile, monkeypatch
):
    environment = _create(owner, project, profile)
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        proxy.fail("AWSGlue.DeleteDatabase", "AccessDeniedException", "not authorized")
        services.environment_delete(acting_user=owner, environment=environment)
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DELETE_FAILED

    failed = the_event(EventType.ENVIRONMENT_FAILED)
    _common(failed, environment, "DELETE_FAILED")
    assert failed.payload["environment"]["operation"] == "DELETE"
    assert "access denied" in failed.payload["environment"]["last_error"]

    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)
    services.environment_delete(acting_user=owner, environment=environment)
    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DELETED
    _common(the_event(EventType.ENVIRONMENT_DELETED), environment, "DELETED")


@pytest.mark.parametrize(
    ("status", "finish", "event_type"),
    [
        (EnvironmentStatus.CREATING, tasks._fail, EventType.ENVIRONMENT_FAILED),
        (EnvironmentStatus.DELETING, tasks._fail_deletion, EventType.ENVIRONMENT_FAILED),
    ],
)
def test_a_rolled_back_status_change_writes_no_event(status, finish, event_type, project, profile):
    environment = EnvironmentFactory(project=project, profile=profile, status=status)
    environment = Environment.objects.select_related("project__domain", "profile").get(
        pk=environment.pk
    )
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert finish(environment, "boom") == "failed"
        assert len(events_of(event_type)) == 1
        raise ZeroDivisionError
    assert events_of(event_type) == []
    assert Environment.objects.get(pk=environment.pk).status == status
    # Once: a second finish of the same change finds the status moved and records nothing.
    finish(environment, "boom")
    finish(environment, "boom again")
    assert len(events_of(event_type)) == 1
