"""A platform team fulfils MANUAL grants with a webhook receiver alone: on
``subscription_grant.requested`` with backend MANUAL it sets the bucket policy (here:
nothing) and reports the grant GRANTED through the API with a personal token."""

import json
import urllib.request

import pytest

from accounts.choices import TokenScope
from accounts.services import token_create
from meshportal.events import EventType
from sharing.choices import GrantBackend, GrantStatus
from sharing.models import SubscriptionGrant
from webhooks.endpoint_services import endpoint_create

from .conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_webhook_receiver_fulfils_the_manual_grant(
    workers, aws, live_server, make_receiver, listing, consumer_project, consumer_environment,
    approve, owner, project,
):  # fmt: skip
    workers()
    _token, key = token_create(
        acting_user=owner, name="grant automation", scope=TokenScope.WRITE, expires_in_days=1
    )
    answers = []

    def fulfil(message):
        grant = message["data"]["grant"]
        if message["type"] != "subscription_grant.requested" or grant["backend"] != "MANUAL":
            return
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/subscription-grants/{grant['id']}/status/",
            data=json.dumps(
                {"status": "GRANTED", "message": "Bucket policy set by the automation."}
            ).encode(),
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answers.append(response.status)

    receiver = make_receiver(on_message=fulfil)
    _endpoint, secret = endpoint_create(
        acting_user=owner,
        url=receiver.url,
        event_types=[
            EventType.SUBSCRIPTION_GRANT_REQUESTED,
            EventType.SUBSCRIPTION_GRANT_COMPLETED,
        ],
        project=project,
    )
    receiver.secrets = [secret]

    subscription = approve(listing, consumer_project)  # unmanaged table: a MANUAL grant

    grant_done = lambda: SubscriptionGrant.objects.filter(  # noqa: E731
        subscription=subscription, status=GrantStatus.GRANTED
    ).exists()
    wait_until(grant_done, 90, "the grant GRANTED by the receiver")
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.backend == GrantBackend.MANUAL
    # The grant commits before the API's answer reaches the receiver: wait for it too.
    wait_until(lambda: answers, 30, "the API's answer to the receiver")
    assert answers == [200]
    wait_until(
        lambda: "subscription_grant.completed" in [m["type"] for m in receiver.messages],
        60,
        "the completed event",
    )
    types = [(m["type"], m["data"]["grant"]["backend"]) for m in receiver.messages]
    assert types == [
        ("subscription_grant.requested", "LAKE_FORMATION"),
        ("subscription_grant.requested", "MANUAL"),
        ("subscription_grant.completed", "MANUAL"),
    ]
    completed = receiver.messages[-1]
    assert completed["actor"] == owner.username
    assert completed["data"]["consumer_project"]["name"] == consumer_project.name
