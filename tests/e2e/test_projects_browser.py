"""A producer's first minutes in the portal, in Chromium: sign in, create a project and an
environment, watch the environment become ACTIVE, add a member."""

import re

import pytest
from playwright.sync_api import expect

from projects.choices import EnvironmentStatus
from projects.models import Environment, Project, ProjectMembership
from tests.projects.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_producer_creates_project_and_environment_and_adds_a_member(
    live_server, page, login, owner, profile, environment_bucket, celery_worker
):
    """Provisioning runs on a real Celery worker, so the page shows CREATING first and
    turns ACTIVE by itself (htmx polling), as a person would see it."""
    UserFactory(username="marketing-team-admin")
    login(owner)

    page.get_by_role("link", name="Projects", exact=True).first.click()
    page.get_by_role("link", name="Create project").first.click()
    page.get_by_label("Domain").select_option(label="streaming")
    page.get_by_label("Name").fill("Film Catalog Project")
    page.get_by_label("Description").fill("Films and their categories.")
    page.get_by_role("button", name="Create project").click()

    expect(page.get_by_role("heading", name="Film Catalog Project")).to_be_visible()
    project = Project.objects.get(name="Film Catalog Project")
    assert page.url.endswith(f"/projects/{project.pk}/")

    page.get_by_role("link", name="Create environment").click()
    page.get_by_label("Profile").select_option(
        label="DataLakeProfile — Data lake, 111111111111 us-east-1"
    )
    page.get_by_label("Name").fill("Film Datasets S3")
    page.get_by_role("button", name="Create environment").click()

    status = page.get_by_test_id("environment-status")
    expect(status).to_have_text(re.compile("ACTIVE|Active"), timeout=60_000)
    environment = Environment.objects.get(project=project, name="Film Datasets S3")
    assert environment.status == EnvironmentStatus.ACTIVE
    expect(page.get_by_text(environment.producer_glue_database)).to_be_visible()
    expect(page.get_by_text(environment.consumer_glue_database)).to_be_visible()

    page.get_by_role("link", name="Film Catalog Project").first.click()
    page.get_by_label("Username").fill("marketing-team-admin")
    page.get_by_label("Designation").select_option("VIEWER")
    page.get_by_role("button", name="Add member").click()

    expect(page.get_by_role("cell", name="marketing-team-admin")).to_be_visible()
    assert ProjectMembership.objects.filter(
        project=project, user__username="marketing-team-admin", designation="VIEWER"
    ).exists()
