"""The publisher page a listing's "Owning project" opens: its owners as contacts, for
anyone who may see one of its listings; a 404 for any other project."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.choices import ListingStatus
from projects.choices import Designation
from tests.catalog.factories import DataSourceFactory, ListingFactory
from tests.projects.factories import (
    EnvironmentFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def source_of(project, profile):
    environment = EnvironmentFactory(project=project, profile=profile)
    return DataSourceFactory(project=project, environment=environment)


def test_owners_are_named_for_consumers_and_other_projects_are_404(
    client_for, project, profile, owner, outsider, viewer
):
    ListingFactory(asset__data_source=source_of(project, profile), name="Films")
    response = client_for(outsider).get(f"/publishers/{project.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "film-catalog-team-admin" in html and "Films" in html
    assert viewer.username not in html  # owners only

    hidden = ProjectFactory(domain=project.domain, name="Hidden")
    ListingFactory(asset__data_source=source_of(hidden, profile), status=ListingStatus.INACTIVE)
    assert client_for(outsider).get(f"/publishers/{hidden.pk}/").status_code == 404
    assert client_for(outsider).get("/publishers/not-a-uuid/").status_code == 404


def test_query_count_does_not_grow_with_owners_or_listings(client_for, project, profile, outsider):
    source = source_of(project, profile)
    ListingFactory(asset__data_source=source)
    client = client_for(outsider)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/publishers/{project.pk}/").status_code == 200
    for _ in range(4):
        ListingFactory(asset__data_source=source)
        ProjectMembershipFactory(project=project, user=UserFactory(), designation=Designation.OWNER)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/publishers/{project.pk}/").status_code == 200
    assert len(many) == len(few)
