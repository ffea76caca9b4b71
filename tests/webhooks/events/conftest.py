"""Fixtures of the events tests: the film team's listing (as in tests/subscriptions) and
helpers to read the outbox."""

import pytest

from meshportal.models import Event
from projects.choices import DomainRole
from tests.catalog.factories import film_listing
from tests.projects.factories import domain_member


@pytest.fixture
def listing(project):
    return film_listing(project)


@pytest.fixture
def domain_owner(domain):
    """The OWNER of the domain (who manages its EventBridge targets)."""
    return domain_member(domain, "streaming-owner", DomainRole.OWNER)


def events_of(event_type) -> list[Event]:
    return list(Event.objects.filter(type=event_type).order_by("recorded"))


def the_event(event_type) -> Event:
    """The one event of ``event_type`` (fails when there are none or several)."""
    found = events_of(event_type)
    assert len(found) == 1, [event.payload for event in found]
    return found[0]
