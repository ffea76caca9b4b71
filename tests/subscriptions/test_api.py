"""The subscriptions API: the scenario's steps 8, 9 and 12, exact names, bad input,
filters, the OpenAPI document and pinned query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.choices import ListingStatus
from projects.models import Notification
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRequest
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import ProjectFactory

from .conftest import REASON

API = "/api/v1"
pytestmark = pytest.mark.django_db


def _future(days=30):
    return (timezone.now() + datetime.timedelta(days=days)).date().isoformat()


def _state():
    return (
        list(SubscriptionRequest.objects.values_list("pk", "status", "updated_at")),
        list(Subscription.objects.values_list("pk", "status", "updated_at")),
        SubscriptionEvent.objects.count(),
        Notification.objects.count(),
    )


def test_scenario_subscribe_approve_revoke(
    listing, consumer_project, consumer, owner, api_client_for
):
    marketing = api_client_for(consumer)
    film = api_client_for(owner)

    # Step 8: subscribe with the reason.
    created = marketing.post(
        f"{API}/subscription-requests/",
        {"listing": str(listing.pk), "project": str(consumer_project.pk), "reason": REASON},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["reason"], body["requester"]) == (
        "PENDING",
        REASON,
        consumer.username,
    )
    assert body["subscription"] is None
    assert [e["kind"] for e in body["timeline"]] == ["REQUESTED"]
    # A retry returns the same request, 200.
    again = marketing.post(
        f"{API}/subscription-requests/",
        {"listing": str(listing.pk), "project": str(consumer_project.pk), "reason": REASON},
    )
    assert (again.status_code, again.json()["id"]) == (200, body["id"])

    # Step 9: the film owner sees the task, reads the request, approves with a comment.
    task = film.get(f"{API}/notifications/?kind=TASK&task_status=ACTIVE").json()["results"]
    assert [t["link"] for t in task] == [f"/subscription-requests/{body['id']}/"]
    incoming = film.get(f"{API}/subscription-requests/?direction=incoming").json()
    assert [r["id"] for r in incoming["results"]] == [body["id"]]
    detail = film.get(f"{API}/subscription-requests/{body['id']}/").json()
    assert (detail["project_name"], detail["reason"]) == ("marketing-team-analysis", REASON)
    accepted = film.post(
        f"{API}/subscription-requests/{body['id']}/accept/",
        {"decision_comment": "Approved for the campaign"},
    )
    assert accepted.status_code == 200, accepted.content
    subscription_id = accepted.json()["subscription"]
    assert accepted.json()["status"] == "ACCEPTED"
    assert film.get(f"{API}/notifications/?kind=TASK&task_status=ACTIVE").json()["count"] == 0

    # Both sides see it.
    consumed = marketing.get(f"{API}/subscriptions/?direction=consumed").json()["results"]
    provided = film.get(f"{API}/subscriptions/?direction=provided").json()["results"]
    assert [s["id"] for s in consumed] == [s["id"] for s in provided] == [subscription_id]
    assert consumed[0]["status"] == "APPROVED"

    # Step 12: revoke; both sides see REVOKED.
    revoked = film.post(f"{API}/subscriptions/{subscription_id}/revoke/", {"reason": "Done"})
    assert revoked.status_code == 200, revoked.content
    for client in (marketing, film):
        sub = client.get(f"{API}/subscriptions/{subscription_id}/").json()
        assert sub["status"] == "REVOKED" and sub["end_reason"] == "Done"
        # (GRANT lines are the sharing app's: here, "no fitting environment".)
        kinds = [e["kind"] for e in sub["timeline"] if e["kind"] != "GRANT"]
        assert kinds == ["REQUESTED", "ACCEPTED", "REVOKED"]
        assert sub["timeline"][1]["message"] == "Approved for the campaign"


def test_decision_conflicts_are_409(listing, consumer_project, consumer, owner, api_client_for):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    film = api_client_for(owner)
    film.post(f"{API}/subscription-requests/{request.pk}/reject/", {"decision_comment": "No"})
    before = _state()
    for action, body in (("accept", {}), ("reject", {"decision_comment": "x"})):
        response = film.post(f"{API}/subscription-requests/{request.pk}/{action}/", body)
        assert response.status_code == 409
        assert "already rejected" in response.json()["detail"]
    cancel = api_client_for(consumer).post(f"{API}/subscription-requests/{request.pk}/cancel/")
    assert cancel.status_code == 409
    assert _state() == before


def test_accept_after_unpublish_is_409_with_the_reason(
    listing, consumer_project, consumer, owner, api_client_for
):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    Notification.objects.all().delete()
    listing.status = ListingStatus.INACTIVE
    listing.save()
    before = _state()
    response = api_client_for(owner).post(f"{API}/subscription-requests/{request.pk}/accept/")
    assert response.status_code == 409 and "unpublished" in response.json()["detail"]
    assert _state() == before


def test_already_subscribed_is_409_naming_it(
    listing, consumer_project, consumer, owner, api_client_for
):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    subscription = services.subscription_request_accept(acting_user=owner, request=request)
    response = api_client_for(consumer).post(
        f"{API}/subscription-requests/",
        {"listing": str(listing.pk), "project": str(consumer_project.pk), "reason": REASON},
    )
    assert response.status_code == 409
    assert str(subscription.pk) in response.json()["detail"]


@pytest.fixture
def unpublished(listing):
    asset = AssetFactory(data_source=listing.asset.data_source, technical_name="category_streams")
    return ListingFactory(asset=asset, status=ListingStatus.INACTIVE)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reason": ""}, "reason", "cannot be empty"),
        ({"reason": "   \t\n "}, "reason", ""),
        ({"reason": "x" * 5000}, "reason", "4096"),
        ({"reason": None}, "reason", "null"),
        ({"listing": "00000000-0000-0000-0000-000000000000"}, "listing", "no published listing"),
        ({"listing": "not-a-uuid"}, "listing", "UUID"),
        ({"listing": "UNPUBLISHED"}, "listing", "no published listing"),
        ({"project": "OTHERS"}, "project", "not a member"),
        ({"project": "OWN"}, "project", "its own listing"),
        ({"expires_at": "2001-01-01"}, "expires_at", "in the future"),
        ({"expires_at": "tomorrow"}, "expires_at", "format"),
    ],
)
def test_bad_requests_are_clear_400s_and_make_nothing(
    listing,
    unpublished,
    project,
    consumer_project,
    consumer,
    api_client_for,
    change,
    field,
    message,
):
    others = ProjectFactory(domain=project.domain, name="someone-elses")
    body = {"listing": str(listing.pk), "project": str(consumer_project.pk), "reason": REASON}
    body.update(change)
    substitutes = {
        "UNPUBLISHED": str(unpublished.pk),
        "OTHERS": str(others.pk),
        "OWN": str(project.pk),
    }
    body = {k: substitutes.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    if change.get("project") == "OWN":
        # A member of both sides asking for the producing project itself.
        from projects.choices import Designation
        from tests.projects.factories import ProjectMembershipFactory

        ProjectMembershipFactory(
            project=project, user=consumer, designation=Designation.CONTRIBUTOR
        )
    before = _state()
    response = api_client_for(consumer).post(f"{API}/subscription-requests/", body)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert _state() == before


def test_reject_needs_a_comment_and_bad_expiry_on_accept(
    listing, consumer_project, consumer, owner, api_client_for
):
    request, _ = services.subscription_request_create(
        acting_user=consumer,
        listing=listing,
        project=consumer_project,
        reason=REASON,
        expires_at=datetime.date.fromisoformat(_future(30)),
    )
    film = api_client_for(owner)
    before = _state()
    for body in ({}, {"decision_comment": "  "}, {"decision_comment": "x" * 5000}):
        response = film.post(f"{API}/subscription-requests/{request.pk}/reject/", body)
        assert response.status_code == 400 and "decision_comment" in response.json()
    longer = film.post(
        f"{API}/subscription-requests/{request.pk}/accept/", {"expires_at": _future(90)}
    )
    assert longer.status_code == 400 and "not lengthen" in longer.json()["expires_at"][0]
    assert _state() == before
    shorter = film.post(
        f"{API}/subscription-requests/{request.pk}/accept/", {"expires_at": _future(5)}
    )
    assert shorter.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.expires_at.date().isoformat() == _future(5)


def test_html_is_returned_as_text(listing, consumer_project, consumer, api_client_for):
    reason = "<script>alert('x')</script> & more"
    response = api_client_for(consumer).post(
        f"{API}/subscription-requests/",
        {"listing": str(listing.pk), "project": str(consumer_project.pk), "reason": reason},
    )
    assert response.json()["reason"] == reason


def test_filters(listing, consumer_project, consumer, owner, project, api_client_for):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    marketing = api_client_for(consumer)
    film = api_client_for(owner)

    def ids(client, query):
        response = client.get(f"{API}/subscription-requests/?{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    mine = [str(request.pk)]
    assert ids(marketing, "direction=outgoing") == mine
    assert ids(marketing, "direction=incoming") == []
    assert ids(film, "direction=incoming") == mine
    assert ids(film, "direction=outgoing") == []
    assert ids(film, "status=PENDING") == mine
    assert ids(film, "status=ACCEPTED") == []
    assert ids(film, f"listing={listing.pk}") == mine
    assert ids(film, f"project={project.pk}") == []
    assert ids(marketing, f"project={consumer_project.pk}") == mine
    assert marketing.get(f"{API}/subscription-requests/?status=NOPE").status_code == 400
    assert marketing.get(f"{API}/subscription-requests/?direction=sideways").status_code == 400
    assert marketing.get(f"{API}/subscriptions/?direction=sideways").status_code == 400
    services.subscription_request_accept(acting_user=owner, request=request)
    for client, direction in ((marketing, "consumed"), (film, "provided")):
        rows = client.get(f"{API}/subscriptions/?direction={direction}&status=APPROVED").json()
        assert rows["count"] == 1
    assert film.get(f"{API}/subscriptions/?direction=consumed").json()["count"] == 0
    assert film.get(f"{API}/subscriptions/?status=REVOKED").json()["count"] == 0


def _many(listing, consumer_project, consumer, owner, n):
    source = listing.asset.data_source
    for _ in range(n):
        asset = AssetFactory(data_source=source)
        other = ListingFactory(asset=asset)
        request, _ = services.subscription_request_create(
            acting_user=consumer, listing=other, project=consumer_project, reason=REASON
        )
        services.subscription_request_accept(acting_user=owner, request=request)
        services.subscription_request_create(
            acting_user=consumer,
            listing=ListingFactory(asset=AssetFactory(data_source=source)),
            project=consumer_project,
            reason=REASON,
        )


@pytest.mark.parametrize("path", ["subscription-requests", "subscriptions"])
def test_list_query_count_does_not_grow(
    listing, consumer_project, consumer, owner, api_client_for, path
):
    client = api_client_for(consumer)
    _many(listing, consumer_project, consumer, owner, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/{path}/").status_code == 200
    _many(listing, consumer_project, consumer, owner, 6)
    with CaptureQueriesContext(connection) as more:
        response = client.get(f"{API}/{path}/")
    assert response.json()["count"] >= 6
    assert len(more) == len(few) <= 6, [q["sql"] for q in more.captured_queries]


def test_openapi_document_has_real_schemas(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/subscription-requests/",
        "/api/v1/subscription-requests/{id}/",
        "/api/v1/subscription-requests/{id}/accept/",
        "/api/v1/subscription-requests/{id}/reject/",
        "/api/v1/subscription-requests/{id}/cancel/",
        "/api/v1/subscriptions/",
        "/api/v1/subscriptions/{id}/",
        "/api/v1/subscriptions/{id}/revoke/",
        "/api/v1/subscriptions/{id}/cancel/",
    ):
        assert path in paths, path
    create = paths["/api/v1/subscription-requests/"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert set(fields) == {"listing", "project", "reason", "expires_at"}
    assert {"201", "200", "400", "403", "409"} <= set(create["responses"])
    list_params = {p["name"] for p in paths["/api/v1/subscriptions/"]["get"]["parameters"]}
    assert {"status", "listing", "project", "direction"} <= list_params
    accept = paths["/api/v1/subscription-requests/{id}/accept/"]["post"]
    ref = accept["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert "subscription" in schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
