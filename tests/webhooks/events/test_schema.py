"""The OpenAPI document describes every event the portal really writes: real changes'
events, read back through the feed, validate against the ``Event`` oneOf (and the
component of their own type)."""

import datetime

import jsonschema
import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from catalog import services as catalog_services
from catalog.choices import RunStatus
from meshportal.events import EventType
from projects import tasks as project_tasks
from projects.choices import EnvironmentStatus
from projects.models import Environment
from subscriptions import services
from tests.catalog.factories import AssetFactory, DataSourceFactory, DataSourceRunFactory
from tests.conftest import REASON
from tests.permissions import API
from tests.projects.factories import EnvironmentFactory
from webhooks.api.schemas import _component_name

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema says it (validators ignore the former)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _validator(document, name):
    schema = {"$ref": f"#/components/schemas/{name}"}
    components = _json_schema(document["components"])
    return jsonschema.Draft202012Validator({**schema, "components": components})


def test_every_type_has_a_component_and_the_feed_answers_the_oneof(document):
    schemas = document["components"]["schemas"]
    event = schemas["Event"]
    assert {ref["$ref"].rsplit("/", 1)[1] for ref in event["oneOf"]} == {
        _component_name(value) for value in EventType.values
    }
    assert event["discriminator"]["propertyName"] == "type"
    assert set(event["discriminator"]["mapping"]) == set(EventType.values)
    feed = document["paths"]["/api/v1/events/"]["get"]
    assert {p["name"] for p in feed["parameters"]} == {"after", "type", "limit"}


def test_real_events_validate_against_their_schema(
    document, listing, project, consumer, consumer_project, owner, contributor,
    api_client_for, platform_admin,
):  # fmt: skip
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    subscription = services.subscription_request_accept(acting_user=owner, request=request)
    services.subscription_revoke(acting_user=owner, subscription=subscription, reason="x")
    other, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    services.subscription_request_reject(acting_user=owner, request=other, decision_comment="n")
    source = DataSourceFactory(project=project, environment=listing.asset.data_source.environment)
    asset = AssetFactory(data_source=source, business_name="")
    catalog_services.asset_publish(acting_user=contributor, asset=asset)
    catalog_services.asset_unpublish(acting_user=contributor, asset=asset)
    DataSourceRunFactory(
        data_source=source,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=2),
    )
    catalog_services.sweep_stuck_runs(timeout_seconds=60)
    environment = EnvironmentFactory(
        project=project, profile=source.environment.profile, status=EnvironmentStatus.CREATING
    )
    environment = Environment.objects.select_related("project__domain", "profile").get(
        pk=environment.pk
    )
    project_tasks._fail(environment, "boom")

    items = api_client_for(platform_admin).get(f"{API}/events/", {"limit": 500}).json()["results"]
    assert {item["type"] for item in items} == {
        "subscription_request.created", "subscription_request.accepted",
        "subscription.created", "subscription.revoked", "subscription_request.rejected",
        "listing.published", "listing.unpublished", "data_source_run.finished",
        "environment.failed",
    }  # fmt: skip
    one_of = _validator(document, "Event")
    for item in items:
        own = _validator(document, _component_name(item["type"]))
        own.validate(item)
        # oneOf: exactly one branch fits (the discriminator's), so clients can decode.
        assert (
            sum(
                _validator(document, _component_name(value)).is_valid(item)
                for value in EventType.values
            )
            == 1
        ), item["type"]
        assert one_of.is_valid(item)
