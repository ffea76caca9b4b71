"""Fixtures of the subscriptions tests: the film team's listing and the marketing team's
project that asks for it (scenario steps 8, 9 and 12).

Personas from tests/conftest.py keep their meaning here: ``owner`` owns the producing
project, ``steward`` stewards its domain, ``contributor``/``viewer`` are film-team
members, ``outsider`` is in nothing. The consumer side adds ``consumer`` (OWNER of the
subscriber project), ``consumer_contributor`` and ``consumer_viewer``.
"""

import pytest

from projects.choices import Designation
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import ProjectFactory, ProjectMembershipFactory, UserFactory

REASON = "Need access to the movie listings with category table for a new marketing project"


@pytest.fixture
def listing(project):
    asset = AssetFactory(
        data_source__project=project,
        technical_name="film_category",
        business_name="Movie listings with category",
        columns=4,
    )
    return ListingFactory(asset=asset)


@pytest.fixture
def consumer(db):
    return UserFactory(username="marketing-owner")


@pytest.fixture
def consumer_project(domain, consumer):
    project = ProjectFactory(domain=domain, name="marketing-team-analysis")
    ProjectMembershipFactory(project=project, user=consumer, designation=Designation.OWNER)
    return project


@pytest.fixture
def consumer_contributor(consumer_project):
    user = UserFactory(username="marketing-contributor")
    ProjectMembershipFactory(
        project=consumer_project, user=user, designation=Designation.CONTRIBUTOR
    )
    return user


@pytest.fixture
def consumer_viewer(consumer_project):
    user = UserFactory(username="marketing-viewer")
    ProjectMembershipFactory(project=consumer_project, user=user, designation=Designation.VIEWER)
    return user
