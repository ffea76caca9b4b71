"""An owner deletes an environment in Chromium: confirm, watch it DELETING, see DELETED.

Provisioning and deletion run on a real Celery worker, so the page shows DELETING first
and turns DELETED by itself (htmx polling), as a person would see it.
"""

import re
import time

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import expect

from projects import services
from projects.choices import EnvironmentStatus
from projects.models import Environment

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_status(environment_id, wanted, timeout: float = 60) -> Environment:
    deadline = time.monotonic() + timeout
    environment = Environment.objects.get(pk=environment_id)
    while environment.status != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        environment = Environment.objects.get(pk=environment_id)
    return environment


def test_owner_deletes_an_environment_and_sees_it_deleted(
    live_server, page, login, owner, project, profile, aws, environment_bucket, celery_worker
):
    environment = services.environment_create(
        acting_user=owner, project=project, profile=profile, name="Film Datasets S3"
    )
    environment = wait_for_status(environment.pk, EnvironmentStatus.ACTIVE)
    assert environment.status == EnvironmentStatus.ACTIVE, (
        environment.last_error or celery_worker.log_path.read_text()[-3000:]
    )
    login(owner)

    page.goto(f"{live_server.url}/environments/{environment.pk}/")
    expect(page.get_by_test_id("environment-status")).to_have_text(re.compile("ACTIVE|Active"))
    page.get_by_role("link", name="Delete environment").click()

    expect(page.get_by_role("heading", name="Delete environment Film Datasets S3?")).to_be_visible()
    expect(page.get_by_test_id("resources-to-delete")).to_contain_text(
        environment.producer_glue_database
    )
    page.get_by_role("button", name="Delete environment").click()

    expect(page.get_by_text("Deletion of “Film Datasets S3” started.")).to_be_visible()
    expect(page.get_by_test_id("deletion-steps")).to_be_visible()
    status = page.get_by_test_id("environment-status")
    expect(status).to_have_text(re.compile("DELETED|Deleted"), timeout=60_000)
    expect(page.get_by_test_id("deletion-progress")).to_have_text("6 of 6 removed")
    expect(page.get_by_role("link", name="Delete environment")).to_have_count(0)

    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.DELETED
    with pytest.raises(ClientError):
        aws.client("glue").get_database(Name=environment.producer_glue_database)

    # The project page lists it no more.
    page.get_by_role("link", name=project.name).first.click()
    expect(page.get_by_test_id("environment-table")).to_have_count(0)
