"""Persona × action matrix of the events feed and the EventBridge targets API.

The film team's project is hidden from outsiders: they get a 200 with none of its
events; EventBridge targets are the domain OWNERs' and platform admins' (a steward is
neither, so a target is a 404 and creating one a 403).
"""

from types import SimpleNamespace

import pytest
from django.db import transaction

from meshportal.events import EventType, event_record
from meshportal.models import Event
from tests.permissions import API, Action, api_table, by_persona, everyone, matrix_test, model_state
from tests.projects.factories import AwsAccountFactory
from webhooks.models import EventBridgeTarget


@pytest.fixture
def world(project, aws_account, contributor, viewer, steward, outsider, platform_admin):
    with transaction.atomic():
        event_record(
            EventType.LISTING_PUBLISHED,
            payload={"listing": {"name": "hidden"}},
            domain_id=project.domain_id,
            project_ids=[project.pk],
        )
    target = EventBridgeTarget.objects.create(
        domain=project.domain, aws_account=aws_account, event_bus="film-events"
    )
    return SimpleNamespace(project=project, account=aws_account, target=target, user=None)


def database_state():
    return model_state(EventBridgeTarget) | {"events": Event.objects.count()}


def _new_target(w):
    account = AwsAccountFactory(domain=w.project.domain, account_id="222222222222")
    return {"domain": str(w.project.domain_id), "aws_account": str(account.pk), "event_bus": "b"}


def _assert_disabled(target):
    assert not EventBridgeTarget.objects.get(pk=target.pk).enabled


ADMIN_ONLY = api_table(404, platform_admin=200)
ACTIONS = [
    Action("events-feed", "get", lambda w: f"{API}/events/", everyone(200)),
    Action("events-feed-bad-cursor", "get", lambda w: f"{API}/events/?after=x", everyone(400)),
    Action("targets-list", "get", lambda w: f"{API}/event-bridge-targets/", everyone(200)),
    Action(
        "target-detail",
        "get",
        lambda w: f"{API}/event-bridge-targets/{w.target.pk}/",
        ADMIN_ONLY,
    ),
    Action(
        "target-deliveries",
        "get",
        lambda w: f"{API}/event-bridge-targets/{w.target.pk}/deliveries/",
        ADMIN_ONLY,
    ),
    Action(
        "target-create",
        "post",
        lambda w: f"{API}/event-bridge-targets/",
        by_persona(
            platform_admin=201, steward=403, owner=403, contributor=403, viewer=403, outsider=403
        ),
        body=_new_target,
        effect=lambda w: EventBridgeTarget.objects.get(event_bus="b"),
    ),
    Action(
        "target-disable",
        "patch",
        lambda w: f"{API}/event-bridge-targets/{w.target.pk}/",
        ADMIN_ONLY,
        body=lambda w: {"enabled": False},
        effect=lambda w: _assert_disabled(w.target),
    ),
    Action(
        "target-delete",
        "delete",
        lambda w: f"{API}/event-bridge-targets/{w.target.pk}/",
        by_persona(
            platform_admin=204, steward=404, owner=404, contributor=404, viewer=404, outsider=404
        ),
    ),
]

test_matrix = matrix_test(ACTIONS, database_state)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("platform_admin", True),
        ("steward", True),  # the steward of the project's domain reads its events
        ("owner", True),
        ("contributor", True),
        ("viewer", True),
        ("outsider", False),
    ],
    indirect=["persona"],
)
def test_only_members_admins_and_domain_governors_read_a_projects_events(
    persona, sees, world, api_client_for
):
    body = api_client_for(persona).get(f"{API}/events/").json()
    found = [item["data"]["listing"]["name"] for item in body["results"]]
    assert found == (["hidden"] if sees else [])
