"""Fixtures of the events tests: the film team's listing (as in tests/subscriptions) and
helpers to read the outbox."""

import pytest

from meshportal.models import Event
from tests.catalog.factories import AssetFactory, ListingFactory


@pytest.fixture
def listing(project):
    asset = AssetFactory(
        data_source__project=project,
        technical_name="film_category",
        business_name="Movie listings with category",
        columns=4,
    )
    return ListingFactory(asset=asset)


def events_of(event_type) -> list[Event]:
    return list(Event.objects.filter(type=event_type).order_by("recorded"))


def the_event(event_type) -> Event:
    """The one event of ``event_type`` (fails when there are none or several)."""
    found = events_of(event_type)
    assert len(found) == 1, [event.payload for event in found]
    return found[0]
