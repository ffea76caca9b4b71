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
from tests.permissions import API, Action, matrix_test, reads

from .conftest import REASON

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
    *reads(
        "request",
        "subscription-requests",
        lambda w: w.pending,
        READ,
        listed=EVERYONE,
        detail_name="get",
    ),
    Action(
        "request-create",
        "post",
        lambda w: f"{API}/subscription-requests/",
        CREATE,
        body=lambda w: {
            "listing": str(w.fresh.pk),
            "project": str(w.consumer_project.pk),
            "reason": REASON,
        },
    ),
    Action(
        "request-accept",
        "post",
        lambda w: f"{API}/subscription-requests/{w.pending.pk}/accept/",
        DECIDE,
        body=lambda w: {"decision_comment": "ok"},
    ),
    Action(
        "request-reject",
        "post",
        lambda w: f"{API}/subscription-requests/{w.pending.pk}/reject/",
        DECIDE,
        body=lambda w: {"decision_comment": "no"},
    ),
    Action(
        "request-cancel",
        "post",
        lambda w: f"{API}/subscription-requests/{w.pending.pk}/cancel/",
        CONSUMER_CANCEL,
    ),
    *reads(
        "subscription",
        "subscriptions",
        lambda w: w.subscription,
        READ,
        listed=EVERYONE,
        detail_name="get",
    ),
    Action(
        "subscription-revoke",
        "post",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/revoke/",
        DECIDE,
        body=lambda w: {"reason": "done"},
    ),
    Action(
        "subscription-cancel",
        "post",
        lambda w: f"{API}/subscriptions/{w.subscription.pk}/cancel/",
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


test_matrix = matrix_test(ACTIONS, database_state, personas=ALL)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "platform_admin"], indirect=True)
def test_lists_hide_everything_from_outsiders(persona, world, api_client_for):
    client = api_client_for(persona)
    for path in ("subscription-requests", "subscriptions"):
        assert client.get(f"{API}/{path}/").json()["count"] == 0
