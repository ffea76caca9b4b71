"""The event feed: ``GET /api/v1/events/?after=&type=&limit=``, read by a polling script."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from meshportal.events import EventType, event_record
from meshportal.models import Event
from projects.choices import Designation, DomainRole
from tests.permissions import API
from tests.projects.factories import (
    DomainFactory,
    DomainMembershipFactory,
    ProjectFactory,
    ProjectMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
FEED = f"{API}/events/"


def record(project, event_type=EventType.LISTING_PUBLISHED, name="x", domain=None):
    with transaction.atomic():
        return event_record(
            event_type,
            payload={"listing": {"name": name}},
            domain_id=(domain or project.domain).pk,
            project_ids=[project.pk],
        )


def names(body) -> list[str]:
    return [item["data"]["listing"]["name"] for item in body["results"]]


def test_a_poller_reads_everything_once_in_order(project, owner, api_client_for):
    for number in range(5):
        record(project, name=f"e{number}")
    client = api_client_for(owner)

    seen, cursor, calls = [], None, 0
    while True:
        params = {"limit": 2} | ({"after": cursor} if cursor else {})
        body = client.get(FEED, params).json()
        calls += 1
        seen += names(body)
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    assert seen == ["e0", "e1", "e2", "e3", "e4"] and calls == 3

    # Nothing new: an empty page that keeps the cursor; then the next event.
    body = client.get(FEED, {"after": cursor}).json()
    assert body == {"results": [], "cursor": cursor, "has_more": False}
    record(project, name="e5")
    body = client.get(FEED, {"after": cursor}).json()
    assert names(body) == ["e5"] and int(body["cursor"]) > int(cursor)


def test_items_are_the_one_message_shape(project, owner, api_client_for):
    event = record(project, name="shape")
    body = api_client_for(owner).get(FEED).json()
    event.refresh_from_db()
    assert body["results"] == [event.as_message()]
    item = body["results"][0]
    assert item["type"] == "listing.published" and item["cursor"] == body["cursor"]
    assert item["projects"] == [str(project.pk)] and item["domain"] == str(project.domain_id)


def test_type_filter_takes_several_types(project, owner, api_client_for):
    record(project, EventType.LISTING_PUBLISHED, "published")
    record(project, EventType.LISTING_UNPUBLISHED, "unpublished")
    record(project, EventType.DATA_SOURCE_RUN_FINISHED, "run")
    client = api_client_for(owner)
    body = client.get(f"{FEED}?type=listing.unpublished&type=data_source_run.finished").json()
    assert names(body) == ["unpublished", "run"]
    assert names(client.get(FEED, {"type": "listing.published"}).json()) == ["published"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=listing.exploded", "type"),
        ("type=webhook.test", "type"),
        ("after=abc", "after"),
        ("after=-1", "after"),
        ("after=" + "9" * 19, "after"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_parameter(query, field, owner, api_client_for):
    response = api_client_for(owner).get(f"{FEED}?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_limit_bounds_the_page(project, owner, api_client_for):
    for number in range(3):
        record(project, name=f"e{number}")
    body = api_client_for(owner).get(FEED, {"limit": 500}).json()
    assert len(body["results"]) == 3 and body["has_more"] is False
    body = api_client_for(owner).get(FEED, {"limit": 1}).json()
    assert len(body["results"]) == 1 and body["has_more"] is True


def test_without_credentials_the_feed_is_a_401(api_client_for):
    response = api_client_for(None).get(FEED)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_visibility_members_groups_domain_owners_stewards_and_admins(api_client_for):
    streaming, music = DomainFactory(name="streaming"), DomainFactory(name="music")
    films = ProjectFactory(domain=streaming, name="films")
    songs = ProjectFactory(domain=music, name="songs")
    record(films, name="films-event")
    record(songs, name="songs-event")
    # An event about both sides (a subscription across domains).
    with transaction.atomic():
        event_record(
            EventType.SUBSCRIPTION_CREATED,
            payload={"listing": {"name": "both"}},
            domain_id=streaming.pk,
            project_ids=[films.pk, songs.pk],
        )

    member = UserFactory(username="films-viewer")
    ProjectMembershipFactory(project=films, user=member, designation=Designation.VIEWER)
    grouped = UserFactory(username="songs-by-group")
    grouped.groups.create(name="song-writers")
    ProjectMembershipFactory(
        project=songs, user=None, group="song-writers", designation=Designation.VIEWER
    )
    domain_owner = UserFactory(username="music-owner")
    DomainMembershipFactory(domain=music, user=domain_owner, role=DomainRole.OWNER)
    steward = UserFactory(username="music-steward")
    DomainMembershipFactory(domain=music, user=steward, role=DomainRole.STEWARD)
    admin = UserFactory(username="admin", is_staff=True)
    outsider = UserFactory(username="nobody")

    def seen(user):
        return names(api_client_for(user).get(FEED).json())

    assert seen(member) == ["films-event", "both"]
    assert seen(grouped) == ["songs-event", "both"]
    assert seen(domain_owner) == ["songs-event"]  # the cross-domain one is streaming's
    assert seen(steward) == ["songs-event"]  # stewards read their domain's, as owners do
    assert seen(admin) == ["films-event", "songs-event", "both"]
    assert seen(outsider) == []


def _queries(user, api_client_for) -> int:
    # A fresh user object per request, as each request has (the groups are cached on it).
    client = api_client_for(type(user).objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(FEED, {"limit": 500}).status_code == 200
    return len(queries)


def _queries_for_1_then_61_events(project, user, api_client_for) -> tuple[int, int]:
    """The feed's query count for ``user`` with one event, then with 60 more."""
    record(project, name="first")
    few = _queries(user, api_client_for)
    for number in range(60):
        record(project, name=f"e{number}")
    return few, _queries(user, api_client_for)


def test_the_feed_costs_the_same_queries_for_1_or_60_events(project, owner, api_client_for):
    few, many = _queries_for_1_then_61_events(project, owner, api_client_for)
    # Sequencing (savepoint, lock, numbering, release), the user's groups, the page.
    assert (few, many) == (6, 6)
    assert Event.objects.filter(position=None).count() == 0


def test_a_steward_by_group_costs_the_same_queries(project, api_client_for):
    steward = UserFactory(username="steward-by-group")
    steward.groups.create(name="stewards")
    DomainMembershipFactory(
        domain=project.domain, user=None, group="stewards", role=DomainRole.STEWARD
    )
    few, many = _queries_for_1_then_61_events(project, steward, api_client_for)
    assert (few, many) == (6, 6)
    body = api_client_for(steward).get(FEED, {"limit": 500}).json()
    assert len(body["results"]) == 61
