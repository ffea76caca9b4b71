"""Listings and import runs write their events with the change: ``listing.published``,
``listing.unpublished`` (by a person, or because an import found the table gone) and
``data_source_run.finished`` (success, partial, failure, a run swept as stuck)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from catalog import services
from catalog.choices import RunStatus
from catalog.models import DataSourceRun
from meshportal.demo import GLUE_DATABASE, seed_aws
from meshportal.events import EventType
from meshportal.models import Event
from tests.catalog.factories import (
    AssetColumnFactory,
    AssetFactory,
    DataSourceFactory,
    DataSourceRunFactory,
    create_glue_source,
    run_now,
    tallies,
)
from tests.projects.factories import EnvironmentFactory

from .conftest import events_of, the_event


@pytest.fixture
def lake(project, profile):
    return EnvironmentFactory(project=project, profile=profile, name="lake")


@pytest.fixture
def asset(project, lake):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    asset = AssetFactory(
        data_source=source, technical_name="film_category", business_name="Film Category"
    )
    AssetColumnFactory(asset=asset, name="category_id", position=1)
    return asset


def _listing_parts(event, asset):
    data = event.payload
    assert data["asset"] == {
        "id": str(asset.pk),
        "name": "Film Category",
        "technical_name": "film_category",
        "type": asset.type,
    }
    assert data["producer_project"] == {"id": str(asset.project_id), "name": "Film Catalog Project"}
    assert data["domain"] == {"id": str(asset.domain_id), "name": "streaming"}
    assert event.domain_id == asset.domain_id and event.project_ids == [asset.project_id]


@pytest.mark.django_db
def test_publishing_writes_listing_published(asset, contributor):
    listing = services.asset_publish(acting_user=contributor, asset=asset)

    event = the_event(EventType.LISTING_PUBLISHED)
    _listing_parts(event, asset)
    assert event.actor == contributor
    assert event.payload["listing"] == {
        "id": str(listing.pk),
        "name": "Film Category",
        "revision": asset.current_revision,
        "status": "ACTIVE",
        "approval_required": True,
    }
    assert event.payload["republished"] is False

    services.asset_publish(acting_user=contributor, asset=asset, approval_required=False)
    again = events_of(EventType.LISTING_PUBLISHED)[1]
    assert again.payload["republished"] is True
    assert again.payload["listing"]["approval_required"] is False


@pytest.mark.django_db
def test_unpublishing_writes_listing_unpublished_once(asset, contributor):
    listing = services.asset_publish(acting_user=contributor, asset=asset)
    services.asset_unpublish(acting_user=contributor, asset=asset)

    event = the_event(EventType.LISTING_UNPUBLISHED)
    _listing_parts(event, asset)
    assert event.actor == contributor
    assert event.payload["listing"]["id"] == str(listing.pk)
    assert event.payload["listing"]["status"] == "INACTIVE"
    assert event.payload["cause"] == "UNPUBLISHED"


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["publish", "unpublish"])
def test_a_rolled_back_publish_or_unpublish_writes_no_event(change, asset, contributor):
    if change == "unpublish":
        services.asset_publish(acting_user=contributor, asset=asset)
    before = Event.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        getattr(services, f"asset_{change}")(acting_user=contributor, asset=asset)
        assert Event.objects.count() == before + 1
        raise ZeroDivisionError
    assert Event.objects.count() == before


# --- Import runs (moto's Glue) -------------------------------------------------------------


@pytest.fixture
def glue(aws):
    seed_aws()
    return aws.client("glue")


@pytest.mark.django_db(transaction=True)
def test_an_import_reports_its_run_and_unpublishes_a_table_gone(glue, owner, project, profile):
    environment = EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    source = create_glue_source(owner, project, environment)
    first = run_now(owner, source)

    event = the_event(EventType.DATA_SOURCE_RUN_FINISHED)
    assert event.actor == owner
    assert event.domain_id == project.domain_id and event.project_ids == [project.pk]
    assert event.payload == {
        "data_source_run": {
            "id": str(first.pk),
            "status": "SUCCESS",
            "type": "PRIORITIZED",
            "error_type": "",
            "error_message": "",
            "started_at": first.started_at.isoformat(),
            "finished_at": first.finished_at.isoformat(),
            "counts": tallies(total=3, processed=3, added=3),
        },
        "data_source": {"id": str(source.pk), "name": "Curated zone", "type": "GLUE"},
        "project": {"id": str(project.pk), "name": "Film Catalog Project"},
        "domain": {"id": str(project.domain_id), "name": "streaming"},
    }

    streams = source.assets.get(technical_name="category_streams")
    services.asset_publish(acting_user=owner, asset=streams)
    glue.delete_table(DatabaseName=GLUE_DATABASE, Name="category_streams")
    second = run_now(owner, source)

    unpublished = the_event(EventType.LISTING_UNPUBLISHED)
    assert unpublished.payload["cause"] == "ASSET_ARCHIVED"
    assert unpublished.payload["asset"]["technical_name"] == "category_streams"
    assert unpublished.actor is None
    finished = events_of(EventType.DATA_SOURCE_RUN_FINISHED)
    assert [e.payload["data_source_run"]["id"] for e in finished] == [str(first.pk), str(second.pk)]
    assert finished[1].payload["data_source_run"]["counts"]["archived"] == 1
    # The listing went down before the run finished, and the outbox says so in order.
    assert unpublished.position < finished[1].position


@pytest.mark.django_db(transaction=True)
def test_a_run_that_cannot_list_its_source_reports_failed(aws, owner, project, profile):
    environment = EnvironmentFactory(project=project, profile=profile, name="Film Datasets S3")
    source = create_glue_source(owner, project, environment, database_name="no_such_database")
    run = run_now(owner, source)

    assert run.status == RunStatus.FAILED
    event = the_event(EventType.DATA_SOURCE_RUN_FINISHED)
    assert event.payload["data_source_run"]["status"] == "FAILED"
    assert event.payload["data_source_run"]["error_type"] == run.error_type != ""
    assert event.payload["data_source_run"]["error_message"] == run.error_message


@pytest.mark.django_db
def test_a_stuck_run_swept_to_failed_reports_it(project, lake):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    old = timezone.now() - datetime.timedelta(hours=2)
    run = DataSourceRunFactory(data_source=source, status=RunStatus.RUNNING, heartbeat_at=old)

    assert services.sweep_stuck_runs(timeout_seconds=1800) == 1
    assert services.sweep_stuck_runs(timeout_seconds=1800) == 0

    event = the_event(EventType.DATA_SOURCE_RUN_FINISHED)
    assert event.payload["data_source_run"]["id"] == str(run.pk)
    assert event.payload["data_source_run"]["status"] == "FAILED"
    assert "no progress" in event.payload["data_source_run"]["error_message"]
    assert DataSourceRun.objects.get(pk=run.pk).status == RunStatus.FAILED


@pytest.mark.django_db
def test_a_rolled_back_sweep_writes_no_event(project, lake):
    source = DataSourceFactory(project=project, environment=lake, name="films")
    old = timezone.now() - datetime.timedelta(hours=2)
    DataSourceRunFactory(data_source=source, status=RunStatus.RUNNING, heartbeat_at=old)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        services.sweep_stuck_runs(timeout_seconds=1800)
        assert len(events_of(EventType.DATA_SOURCE_RUN_FINISHED)) == 1
        raise ZeroDivisionError
    assert events_of(EventType.DATA_SOURCE_RUN_FINISHED) == []
    assert DataSourceRun.objects.get().status == RunStatus.RUNNING
