"""Who may do what with webhooks: a project's OWNERs its endpoints, a domain's OWNERs
the domain's; nobody else sees them (404), and a project or domain one can see but does
not own refuses a new endpoint (403)."""

import pytest
from django.db import transaction

from meshportal.events import EventType, event_record
from tests.permissions import (
    API,
    Action,
    api_table,
    everyone,
    matrix_test,
    model_state,
    owner_only,
)
from webhooks.endpoint_services import endpoint_create
from webhooks.models import WebhookDelivery, WebhookEndpoint

URL = "https://93.184.215.14/hooks"
TYPES = [EventType.LISTING_PUBLISHED]


class World:
    user = None


@pytest.fixture
def world(project, owner, contributor, viewer, steward, platform_admin, outsider):
    w = World()
    w.project = project
    w.endpoint, _secret = endpoint_create(
        acting_user=owner, url=URL, event_types=TYPES, project=project
    )
    with transaction.atomic():
        event = event_record(
            EventType.LISTING_PUBLISHED, payload={}, project_ids=[project.pk], domain_id=None
        )
    w.delivery = WebhookDelivery.objects.create(
        endpoint=w.endpoint, event=event, position=None, status="DELIVERED"
    )
    return w


def endpoint_url(suffix=""):
    return lambda w: f"{API}/webhooks/{w.endpoint.pk}/{suffix}"


OWNER_ONLY = owner_only(200)


ACTIONS = [
    Action("webhook-list", "get", lambda w: f"{API}/webhooks/", everyone(200)),
    Action(
        "webhook-create-project",
        "post",
        lambda w: f"{API}/webhooks/",
        api_table(403, owner=201, platform_admin=404, outsider=404),
        body=lambda w: {"url": URL, "project": str(w.project.pk), "event_types": TYPES},
        effect=lambda w: WebhookEndpoint.objects.get(~_same(w.endpoint), project=w.project),
    ),
    Action(
        "webhook-create-domain",
        "post",
        lambda w: f"{API}/webhooks/",
        everyone(403),
        body=lambda w: {"url": URL, "domain": str(w.project.domain_id), "event_types": TYPES},
    ),
    Action("webhook-get", "get", endpoint_url(), OWNER_ONLY),
    Action(
        "webhook-patch",
        "patch",
        endpoint_url(),
        OWNER_ONLY,
        body=lambda w: {"enabled": False},
        effect=lambda w: _assert(not WebhookEndpoint.objects.get(pk=w.endpoint.pk).enabled),
    ),
    Action("webhook-rotate", "post", endpoint_url("rotate-secret/"), OWNER_ONLY),
    Action("webhook-test", "post", endpoint_url("test/"), owner_only(202)),
    Action("webhook-deliveries", "get", endpoint_url("deliveries/"), OWNER_ONLY),
    Action(
        "webhook-redeliver",
        "post",
        lambda w: f"{API}/webhook-deliveries/{w.delivery.pk}/redeliver/",
        owner_only(202),
        effect=lambda w: _assert(WebhookDelivery.objects.get(pk=w.delivery.pk).status == "PENDING"),
    ),
    Action(
        "webhook-delivery-get",
        "get",
        lambda w: f"{API}/webhook-deliveries/{w.delivery.pk}/",
        OWNER_ONLY,
    ),
    Action(
        "webhook-delete",
        "delete",
        endpoint_url(),
        owner_only(204),
        effect=lambda w: _assert(not WebhookEndpoint.objects.filter(pk=w.endpoint.pk).exists()),
    ),
]


def _same(endpoint):
    from django.db.models import Q

    return Q(pk=endpoint.pk)


def _assert(condition):
    assert condition


def database_state():
    return model_state(WebhookEndpoint, WebhookDelivery)


test_matrix = matrix_test(ACTIONS, database_state)


@pytest.mark.django_db
def test_a_domain_owner_manages_the_domain_endpoints(api_client_for, domain, owner, steward):
    from projects.choices import DomainRole
    from tests.projects.factories import DomainMembershipFactory, UserFactory

    domain_owner = UserFactory(username="domain-owner")
    DomainMembershipFactory(domain=domain, user=domain_owner, role=DomainRole.OWNER)
    client = api_client_for(domain_owner)
    answer = client.post(
        f"{API}/webhooks/",
        {"url": URL, "domain": str(domain.pk), "event_types": TYPES},
        format="json",
    )
    assert answer.status_code == 201
    endpoint_id = answer.json()["id"]
    assert client.get(f"{API}/webhooks/{endpoint_id}/").status_code == 200
    # A steward of the domain, or a project owner in it, does not see it.
    assert api_client_for(steward).get(f"{API}/webhooks/{endpoint_id}/").status_code == 404
    assert api_client_for(owner).get(f"{API}/webhooks/{endpoint_id}/").status_code == 404
