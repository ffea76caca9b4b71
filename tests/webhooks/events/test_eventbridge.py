"""A domain's events reach its EventBridge bus (moto's server over HTTP).

moto routes what ``put_events`` puts on the bus through a real rule
(``source: ["mesh-portal"]``) to an SQS queue; the tests read the queue, as a platform
team's consumer would. Failures come from the fault-injecting proxy in front of moto:
throttling past botocore's own retries, entries refused one by one (FailedEntryCount),
and a bus that keeps failing until the target is disabled and its owners are told.
"""

import json

import pytest
from django.db import transaction
from django.utils import timezone

from meshportal.events import EventType, event_record, events_sequence
from meshportal.models import Event
from projects.models import Notification
from subscriptions import services as subscription_services
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.catalog.throttling_proxy import AwsProxy
from tests.conftest import REASON
from tests.permissions import API
from tests.projects.factories import EnvironmentFactory
from webhooks.eventbridge import delivery
from webhooks.eventbridge.services import event_bridge_target_create
from webhooks.eventbridge.tasks import eventbridge_sweep
from webhooks.models import EventBridgeDelivery, EventBridgeDeliveryStatus, EventBridgeTarget
from webhooks.retry import MAX_ATTEMPTS

pytestmark = pytest.mark.django_db(transaction=True)

BUS = "film-events"
PUT_EVENTS = "AWSEvents.PutEvents"


@pytest.fixture
def queue(aws):
    """A bus with a rule sending the portal's events to an SQS queue; the queue's URL."""
    events, sqs = aws.client("events"), aws.client("sqs")
    events.create_event_bus(Name=BUS)
    url = sqs.create_queue(QueueName="film-events-queue")["QueueUrl"]
    _rule_to_queue(aws, url)
    return url


def read_queue(aws, url) -> list[dict]:
    sqs, messages = aws.client("sqs"), []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            messages.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def target(domain, aws_account, domain_owner):
    aws_account.role_arn = "arn:aws:iam::111111111111:role/mesh-portal-events"
    aws_account.save()
    return event_bridge_target_create(
        acting_user=domain_owner, domain=domain, aws_account=aws_account, event_bus=BUS
    )


def record(project, count=1, event_type=EventType.LISTING_PUBLISHED):
    """Events of the project, committed (the on-commit fan-out runs, eagerly)."""
    with transaction.atomic():
        for number in range(count):
            event_record(
                event_type,
                payload={"listing": {"name": f"listing-{number}"}},
                domain_id=project.domain_id,
                project_ids=[project.pk],
            )


def test_a_subscription_request_reaches_the_bus_as_the_feed_shows_it(
    aws, queue, target, project, profile, consumer, consumer_project
):
    asset = AssetFactory(
        data_source__project=project,
        data_source__environment=EnvironmentFactory(project=project, profile=profile),
        business_name="Movie listings",
    )
    listing = ListingFactory(asset=asset)
    subscription_services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )

    messages = read_queue(aws, queue)
    assert len(messages) == 1
    message = messages[0]
    event = Event.objects.get(type=EventType.SUBSCRIPTION_REQUEST_CREATED)
    assert message["source"] == "mesh-portal"
    assert message["detail-type"] == "subscription_request.created"
    assert message["detail"] == event.as_message()
    assert message["detail"]["data"]["listing"]["name"] == "Movie listings"
    delivered = EventBridgeDelivery.objects.get()
    assert delivered.status == EventBridgeDeliveryStatus.DELIVERED and delivered.attempts == 1
    assert delivered.eventbridge_id
    target.refresh_from_db()
    assert target.cursor == event.position and target.last_delivered_at is not None


def test_events_go_in_batches_of_ten_through_the_accounts_role(
    aws, queue, target, project, monkeypatch
):
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        record(project, 23)
        calls = [seen for seen in proxy.requests if seen.target == PUT_EVENTS]
        assert [len(seen.body["Entries"]) for seen in calls] == [10, 10, 3]
        assert all(
            entry["EventBusName"] == BUS and entry["Source"] == "mesh-portal"
            for seen in calls
            for entry in seen.body["Entries"]
        )
        assert proxy.count("AssumeRole") >= 1  # the account's role, not the portal's own

    names = [m["detail"]["data"]["listing"]["name"] for m in read_queue(aws, queue)]
    assert sorted(names) == sorted(f"listing-{n}" for n in range(23))
    assert EventBridgeDelivery.objects.filter(status="DELIVERED").count() == 23


def test_only_the_chosen_types_and_only_the_domains_events(
    aws, queue, target, project, domain_owner
):
    from tests.projects.factories import DomainFactory, ProjectFactory

    target.event_types = [EventType.DATA_SOURCE_RUN_FINISHED]
    target.save()
    record(project, 2, EventType.LISTING_PUBLISHED)
    record(project, 1, EventType.DATA_SOURCE_RUN_FINISHED)
    elsewhere = ProjectFactory(domain=DomainFactory(name="music"), name="songs")
    record(elsewhere, 1, EventType.DATA_SOURCE_RUN_FINISHED)

    messages = read_queue(aws, queue)
    assert [m["detail-type"] for m in messages] == ["data_source_run.finished"]
    assert messages[0]["detail"]["projects"] == [str(project.pk)]


def test_throttling_past_botocores_retries_is_retried_later(
    aws, queue, target, project, monkeypatch
):
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        # botocore's standard mode (max_attempts 6 retries) tries 7 times: all throttled.
        proxy.fail(PUT_EVENTS, "ThrottlingException", "Rate exceeded", times=7)
        record(project, 2)

        waiting = list(EventBridgeDelivery.objects.all())
        assert [d.status for d in waiting] == ["PENDING", "PENDING"]
        assert all(d.attempts == 1 and "ThrottlingException" in d.last_error for d in waiting)
        assert all(d.next_attempt_at > timezone.now() for d in waiting)
        assert read_queue(aws, queue) == []

        eventbridge_sweep()  # beat: nothing is due yet
        assert proxy.count(PUT_EVENTS) == 7

        EventBridgeDelivery.objects.update(next_attempt_at=timezone.now())  # time passes
        eventbridge_sweep()
        assert proxy.count(PUT_EVENTS, "forwarded") == 1

    assert len(read_queue(aws, queue)) == 2
    assert set(EventBridgeDelivery.objects.values_list("status", "attempts")) == {("DELIVERED", 2)}


def test_entries_refused_one_by_one_are_sent_again(aws, queue, target, project, monkeypatch):
    refused_once = []

    def refuse_the_first_entry(answer):
        if refused_once:
            return answer
        refused_once.append(True)
        entries = answer["Entries"]
        entries[0] = {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
        return dict(answer, Entries=entries, FailedEntryCount=1)

    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        proxy.rewrite(PUT_EVENTS, refuse_the_first_entry)
        record(project, 3)

        first, second, third = EventBridgeDelivery.objects.order_by("position")
        assert (first.status, first.attempts) == ("PENDING", 1)
        assert first.last_error == "InternalFailure: try again"
        assert (second.status, third.status) == ("DELIVERED", "DELIVERED")

        EventBridgeDelivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
        eventbridge_sweep()
        sent = [seen for seen in proxy.requests if seen.target == PUT_EVENTS]
        assert [len(seen.body["Entries"]) for seen in sent] == [3, 1]
        assert json.loads(sent[1].body["Entries"][0]["Detail"])["id"] == str(first.event_id)

    first.refresh_from_db()
    assert (first.status, first.attempts) == ("DELIVERED", 2)


def test_a_bus_that_keeps_failing_disables_the_target_and_tells_its_owners(
    aws, queue, target, project, domain_owner, monkeypatch, api_client_for
):
    aws.client("events").delete_event_bus(Name=BUS)  # moto now answers ResourceNotFound
    record(project, 1)
    waiting = EventBridgeDelivery.objects.get()
    assert waiting.status == "PENDING" and "ResourceNotFoundException" in waiting.last_error

    # The last attempt of the schedule comes due, and fails like the others.
    EventBridgeDelivery.objects.update(attempts=MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
    eventbridge_sweep()

    waiting.refresh_from_db()
    target.refresh_from_db()
    assert (waiting.status, waiting.attempts) == ("FAILED", MAX_ATTEMPTS)
    assert not target.enabled and "ResourceNotFoundException" in target.disabled_reason
    note = Notification.objects.get(recipient=domain_owner, topic="EVENTBRIDGE_DISABLED")
    assert BUS in note.title and "enable the target again" in note.body

    # Disabled: new events wait in the outbox (the cursor stays), nothing is sent.
    record(project, 1)
    assert EventBridgeDelivery.objects.count() == 1

    # The owner creates the bus again and enables the target: everything arrives.
    aws.client("events").create_event_bus(Name=BUS)
    _rule_to_queue(aws, queue)
    response = api_client_for(domain_owner).patch(
        f"{API}/event-bridge-targets/{target.pk}/", {"enabled": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["disabled_reason"] == ""
    eventbridge_sweep()
    assert len(read_queue(aws, queue)) == 2
    assert set(EventBridgeDelivery.objects.values_list("status", flat=True)) == {"DELIVERED"}


def _rule_to_queue(aws, url):
    """A rule on the bus that sends the portal's events to the SQS queue at ``url``."""
    events, sqs = aws.client("events"), aws.client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="mesh-portal-to-queue",
        EventBusName=BUS,
        EventPattern=json.dumps({"source": ["mesh-portal"]}),
    )
    events.put_targets(
        Rule="mesh-portal-to-queue", EventBusName=BUS, Targets=[{"Id": "queue", "Arn": arn}]
    )


def test_a_new_target_starts_at_the_end_of_the_outbox(
    aws, queue, project, domain, aws_account, domain_owner
):
    record(project, 3)  # history before the target exists
    target = event_bridge_target_create(
        acting_user=domain_owner, domain=domain, aws_account=aws_account, event_bus=BUS
    )
    record(project, 1)
    assert len(read_queue(aws, queue)) == 1
    assert EventBridgeDelivery.objects.filter(target=target).count() == 1


def test_fan_out_twice_makes_each_delivery_once(aws, queue, target, project, settings):
    # No on-commit fan-out here: the events wait, as if the message was lost.
    EventBridgeTarget.objects.filter(pk=target.pk).update(enabled=False)
    record(project, 4)
    EventBridgeTarget.objects.filter(pk=target.pk).update(enabled=True)
    events_sequence()
    assert delivery.fan_out_all() == 4
    assert delivery.fan_out_all() == 0
    assert EventBridgeDelivery.objects.count() == 4
    eventbridge_sweep()  # the beat sweep sends them
    assert len(read_queue(aws, queue)) == 4


def test_configuration_is_checked(aws, domain, aws_account, domain_owner, api_client_for):
    from tests.projects.factories import AwsAccountFactory, DomainFactory

    client = api_client_for(domain_owner)
    url = f"{API}/event-bridge-targets/"
    base = {"domain": str(domain.pk), "aws_account": str(aws_account.pk)}
    other = AwsAccountFactory(domain=DomainFactory(name="music"), account_id="333333333333")
    cases = [
        ({**base, "event_bus": "bad name!"}, "event_bus"),
        ({**base, "event_bus": "arn:aws:events:us-east-1:999999999999:event-bus/x"}, "event_bus"),
        ({**base, "event_bus": "x", "event_types": ["listing.exploded"]}, "event_types"),
        ({**base, "event_bus": "x", "aws_account": str(other.pk)}, "aws_account"),
        ({**base, "event_bus": "x" * 1601}, "event_bus"),
    ]
    for body, field in cases:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), response.json()
    created = client.post(
        url,
        {**base, "event_bus": "arn:aws:events:eu-west-1:111111111111:event-bus/b",
         "event_types": ["listing.published", "listing.published"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["region"] == "eu-west-1"
    assert created.json()["event_types"] == ["listing.published"]
    again = client.post(
        url, {**base, "event_bus": "arn:aws:events:eu-west-1:111111111111:event-bus/b"},
        format="json",
    )  # fmt: skip
    assert again.status_code == 400 and "event_bus" in again.json()
    assert EventBridgeTarget.objects.count() == 1
