"""Who may do what through the subscriptions API: the persona × action matrix.

Requests and subscriptions are visible to both sides (members of the subscriber project
and of the listing's project) and to the domain's stewards; anyone else gets 404,
platform admins included. Visible ones that the persona may not change answer 403.
Naming a project one is not a member of in a new request is a 400 on the field.
Refusals and reads leave the database as it was.
"""

from types import SimpleNamespace

import pytest

from projects.models import Notification
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRequest
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.conftest import PERSONAS

from .conftest import REASON

API = "/api/v1"
ALL = [*PERSONAS, "consumer", "consumer_contributor", "consumer_viewer"]


def expect(default, **overrides) -> dict:
    table = {p: default for p in ALL}
    table.update(platform_admin=404, outsider=404, anonymous=401)
    table.update(overrides)
    return table


READ = expect(200)
DECIDE = expect(403, owner=200, steward=200)
CONSUMER_CANCEL = expect(403, consumer=200)
CREATE = expect(
    400,
    platform_admin=400,
    outsider=400,
    consumer=201,
    consumer_contributor=201,
    consumer_viewer=403,
)
EVERYONE = {p: 200 for p in ALL} | {"anonymous": 401}

ACTIONS = [
    ("request-list", "get", lambda w: f"{API}/subscription-requests/", None, EVERYONE),
    ("request-get", "get", lambda w: f"{API}/subscription-requests/{w.pending.pk}/", None, READ),
    (
        "request-create",
        "post",
        lambda w: f"{API}/subscription-requests/",
        lambda w: {
            "listing": str(w.fresh.pk),
            "project": str(w.consumer_project.pk),
            "reason": REASON,
        },
        CREATE,
    ),
    (
        "request-accept",
        "post",
        lambda w: f"{API}/subscription-requests/{w.pending.pk}/accept/",
        lambda w: {"decision_comment": "ok"},
        DECIDE,
    ),
    (
        "request-reject",
        "post",
        lambda w: f"{API}/subscription-requests/{w.pending.pk}/reject/",
        lambda w: {"decision_comment": "no"},
        DECIDE,
    ),
    (
        "request-cancel",
        "post",
        lambda w: f"{API}/subscription-requests/{w.pending.pk}/cancel/",
        None,
        CONSUMER_CANCEL,
    ),
    ("subscription-list", "get", lambda w: f"{API}/subscriptions/", None, EVERYONE),
    (
        "subscription-get",
        "get",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/",
        None,
        READ,
    ),
    (
        "subscription-revoke",
        "post",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/revoke/",
        lambda w: {"reason": "done"},
        DECIDE,
    ),
    (
        "subscription-cancel",
        "post",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/cancel/",
        None,
        CONSUMER_CANCEL,
    ),
]


@pytest.fixture
def world(listing, consumer_project, consumer, consumer_contributor, consumer_viewer, owner):
    source = listing.asset.data_source
    pending, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    subscribed = ListingFactory(asset=AssetFactory(data_source=source))
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=subscribed, project=consumer_project, reason=REASON
    )
    subscription = services.subscription_request_accept(acting_user=owner, request=request)
    return SimpleNamespace(
        pending=pending,
        subscription=subscription,
        fresh=ListingFactory(asset=AssetFactory(data_source=source)),
        consumer_project=consumer_project,
    )


def database_state():
    return (
        sorted(SubscriptionRequest.objects.values_list("pk", "status", "updated_at")),
        sorted(Subscription.objects.values_list("pk", "status", "updated_at")),
        SubscriptionEvent.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method", "url", "body", "persona", "expected"),
    [
        (name, method, url, body, persona, table[persona])
        for name, method, url, body, table in ACTIONS
        for persona in ALL
    ],
    indirect=["persona"],
    ids=[f"{a[0]}-{p}" for a in ACTIONS for p in ALL],
)
def test_matrix(name, method, url, body, persona, expected, world, api_client_for):
    client = api_client_for(persona)
    before = database_state()
    response = getattr(client, method)(url(world), body(world) if body else None, format="json")
    assert response.status_code == expected, (response.status_code, response.content[:400])
    if expected >= 400:
        assert response.json()
        assert database_state() == before
    elif method == "get":
        assert database_state() == before
    else:
        assert database_state() != before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "platform_admin"], indirect=True)
def test_lists_hide_everything_from_outsiders(persona, world, api_client_for):
    client = api_client_for(persona)
    for path in ("subscription-requests", "subscriptions"):
        assert client.get(f"{API}/{path}/").json()["count"] == 0
