"""The subscription pages: subscribing from the listing page, deciding in place,
refusals shown where one clicked, the overview and its counts, search marks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.search import rebuild_listing_documents
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRequest
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.conftest import PERSONAS
from tests.permissions import personas

from .conftest import REASON

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ALL = [*PERSONAS, "consumer", "consumer_contributor", "consumer_viewer"]


def _state():
    return (
        sorted(SubscriptionRequest.objects.values_list("pk", "status", "updated_at")),
        sorted(Subscription.objects.values_list("pk", "status", "updated_at")),
        SubscriptionEvent.objects.count(),
    )


@pytest.fixture
def pending(listing, consumer_project, consumer, owner):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    return request


def test_subscribe_from_the_listing_page(listing, consumer_project, consumer, client_for):
    marketing = client_for(consumer)
    page = marketing.get(f"/listings/{listing.pk}/").content.decode()
    assert 'data-testid="subscribe-form"' in page
    assert "marketing-team-analysis" in page and "Film Catalog Project</option>" not in page
    response = marketing.post(
        f"/listings/{listing.pk}/subscribe/",
        {"project": consumer_project.pk, "reason": REASON, "expires_at": ""},
    )
    request = SubscriptionRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/subscription-requests/{request.pk}/"
    page = marketing.get(f"/listings/{listing.pk}/").content.decode()
    assert (
        "Requested for <strong>marketing-team-analysis</strong> by marketing-owner, pending" in page
    )
    assert 'data-testid="subscribe-form"' not in page


def test_listing_page_shows_subscribed_until(pending, listing, consumer, owner, client_for):
    import datetime

    services.subscription_request_accept(
        acting_user=owner, request=pending, expires_at=datetime.date(2099, 1, 31)
    )
    page = client_for(consumer).get(f"/listings/{listing.pk}/").content.decode()
    assert "subscribed until" in page and "Jan 31, 2099" in page


def test_the_owning_team_and_viewers_get_no_form(listing, owner, consumer_viewer, client_for):
    for user in (owner, consumer_viewer):
        page = client_for(user).get(f"/listings/{listing.pk}/").content.decode()
        assert 'data-testid="subscribe-form"' not in page
        assert "be a contributor or owner of a project other than" in page


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("x" * 5000, "at most 4096"),
    ],
)
def test_bad_subscribe_input_is_a_form_error(
    listing, consumer_project, consumer, client_for, reason, message
):
    response = client_for(consumer).post(
        f"/listings/{listing.pk}/subscribe/", {"project": consumer_project.pk, "reason": reason}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SubscriptionRequest.objects.exists()


def test_someone_elses_project_and_past_expiry_are_form_errors(
    listing, project, consumer_project, outsider, consumer, client_for
):
    response = client_for(outsider).post(
        f"/listings/{listing.pk}/subscribe/", {"project": consumer_project.pk, "reason": REASON}
    )
    assert response.status_code == 400
    assert "None of your projects may ask for it" in response.content.decode()
    response = client_for(consumer).post(
        f"/listings/{listing.pk}/subscribe/",
        {"project": consumer_project.pk, "reason": REASON, "expires_at": "2001-01-01"},
    )
    assert response.status_code == 400 and "in the future" in response.content.decode()
    assert not SubscriptionRequest.objects.exists()


def test_html_in_reasons_and_comments_is_escaped(
    listing, consumer_project, consumer, owner, client_for
):
    request, _ = services.subscription_request_create(
        acting_user=consumer,
        listing=listing,
        project=consumer_project,
        reason="<script>alert(1)</script>",
    )
    services.subscription_request_reject(
        acting_user=owner, request=request, decision_comment="<b>no</b>"
    )
    page = client_for(consumer).get(f"/subscription-requests/{request.pk}/").content.decode()
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "<b>no</b>" not in page and "&lt;b&gt;no&lt;/b&gt;" in page


def test_decide_in_place_and_refusals_in_place(pending, consumer, owner, steward, client_for):
    url = f"/subscription-requests/{pending.pk}/"
    film = client_for(owner)
    page = film.get(url).content.decode()
    assert 'data-testid="accept-form"' in page and REASON in page
    # The consumer may see it but not decide: 403 with the reason, in the panel.
    refused = client_for(consumer).post(url + "accept/", {}, **HTMX)
    assert refused.status_code == 403
    assert "Only an owner of project Film Catalog Project" in refused.content.decode()
    # Reject needs a comment.
    empty = film.post(url + "reject/", {"decision_comment": ""}, **HTMX)
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    accepted = film.post(url + "accept/", {"decision_comment": "Approved for the campaign"}, **HTMX)
    assert accepted.status_code == 200
    body = accepted.content.decode()
    assert body.lstrip().startswith("{% load") is False and 'id="request-panel"' in body
    assert "<html" not in body and ">ACCEPTED<" in body and "Approved for the campaign" in body
    late = client_for(steward).post(url + "reject/", {"decision_comment": "no"}, **HTMX)
    assert late.status_code == 409 and "already accepted" in late.content.decode()
    pending.refresh_from_db()
    assert pending.status == "ACCEPTED"


def test_requester_cancels_without_htmx(pending, consumer, client_for):
    response = client_for(consumer).post(f"/subscription-requests/{pending.pk}/cancel/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "CANCELLED"


PAGE_READ = {p: 200 for p in ALL} | {"platform_admin": 404, "outsider": 404, "anonymous": 302}
PAGE_DECIDE = {p: 403 for p in ALL} | {
    "owner": 302,
    "steward": 302,
    "platform_admin": 404,
    "outsider": 404,
    "anonymous": 302,
}
PAGE_CONSUMER = PAGE_DECIDE | {"owner": 403, "steward": 403, "consumer": 302}


@pytest.mark.parametrize(
    ("action", "persona", "expected"),
    [
        (action, persona, table[persona])
        for action, table in (
            ("request-view", PAGE_READ),
            ("request-accept", PAGE_DECIDE),
            ("request-cancel", PAGE_CONSUMER),
            ("subscription-view", PAGE_READ),
            ("subscription-revoke", PAGE_DECIDE),
            ("subscription-cancel", PAGE_CONSUMER),
        )
        for persona in ALL
    ],
    indirect=["persona"],
)
def test_page_matrix(
    action,
    persona,
    expected,
    pending,
    listing,
    consumer_project,
    consumer,
    owner,
    consumer_contributor,
    consumer_viewer,
    client_for,
):
    other = ListingFactory(asset=AssetFactory(data_source=listing.asset.data_source))
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=other, project=consumer_project, reason=REASON
    )
    subscription = services.subscription_request_accept(acting_user=owner, request=request)
    urls = {
        "request-view": ("get", f"/subscription-requests/{pending.pk}/"),
        "request-accept": ("post", f"/subscription-requests/{pending.pk}/accept/"),
        "request-cancel": ("post", f"/subscription-requests/{pending.pk}/cancel/"),
        "subscription-view": ("get", f"/subscriptions/{subscription.pk}/"),
        "subscription-revoke": ("post", f"/subscriptions/{subscription.pk}/revoke/"),
        "subscription-cancel": ("post", f"/subscriptions/{subscription.pk}/cancel/"),
    }
    method, url = urls[action]
    before = _state()
    response = getattr(client_for(persona), method)(url)
    assert response.status_code == expected
    if expected == 302 and method == "post" and persona is not None:
        assert _state() != before
    else:
        assert _state() == before


def test_subscription_page_has_access_place_and_revoke(pending, consumer, owner, client_for):
    subscription = services.subscription_request_accept(acting_user=owner, request=pending)
    url = f"/subscriptions/{subscription.pk}/"
    page = client_for(consumer).get(url).content.decode()
    # Filled by the sharing app: no environment fits, so nothing is granted yet.
    assert 'id="access"' in page and "Nothing is granted yet" in page
    assert 'data-testid="revoke-form"' not in page and 'data-testid="unsubscribe-form"' in page
    revoked = client_for(owner).post(url + "revoke/", {"reason": "Campaign over"}, **HTMX)
    assert revoked.status_code == 200 and ">REVOKED<" in revoked.content.decode()
    again = client_for(owner).post(url + "revoke/", {}, **HTMX)
    assert again.status_code == 409 and "already revoked" in again.content.decode()
    for user in (consumer, owner):
        page = client_for(user).get(url).content.decode()
        assert ">REVOKED<" in page and "Campaign over" in page


def test_overview_tabs_counts_and_nav(pending, listing, consumer, owner, client_for):
    film = client_for(owner)
    page = film.get("/subscriptions/").content.decode()
    assert 'data-testid="to-decide-count">1<' in page
    assert 'data-testid="count-to_decide">1<' in page and listing.name in page
    marketing = client_for(consumer)
    assert (
        'data-testid="count-our_requests">1<' in marketing.get("/subscriptions/").content.decode()
    )
    services.subscription_request_accept(acting_user=owner, request=pending)
    assert listing.name in film.get("/subscriptions/?tab=provided").content.decode()
    consumed = marketing.get("/subscriptions/?tab=consumed").content.decode()
    assert 'data-testid="count-consumed">1<' in consumed and listing.name in consumed
    assert marketing.get("/subscriptions/?tab=consumed&status=NOPE").status_code == 200


@pytest.mark.parametrize("tab", ["to_decide", "our_requests", "consumed", "provided"])
def test_overview_query_count_is_pinned(
    listing, consumer_project, consumer, owner, client_for, tab
):
    source = listing.asset.data_source
    user = owner if tab in ("to_decide", "provided") else consumer

    def grow(n):
        for _ in range(n):
            other = ListingFactory(asset=AssetFactory(data_source=source))
            request, _ = services.subscription_request_create(
                acting_user=consumer, listing=other, project=consumer_project, reason=REASON
            )
            if tab in ("consumed", "provided"):
                services.subscription_request_accept(acting_user=owner, request=request)

    client = client_for(user)
    grow(1)
    client.get(f"/subscriptions/?tab={tab}")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/subscriptions/?tab={tab}")
    grow(5)
    with CaptureQueriesContext(connection) as more:
        page = client.get(f"/subscriptions/?tab={tab}")
    assert page.content.decode().count("<tr>") == 1 + 6  # the header row and six rows
    assert len(more) == len(few)


def test_search_marks_subscribed_listings(pending, listing, consumer, owner, client_for):
    rebuild_listing_documents([listing])
    marketing = client_for(consumer)
    assert 'data-testid="subscribed-mark"' not in marketing.get("/search/?q=movie").content.decode()
    services.subscription_request_accept(acting_user=owner, request=pending)
    page = marketing.get("/search/?q=movie").content.decode()
    assert 'data-testid="subscribed-mark"' in page


SUBSCRIBE = {p: 400 for p in ALL} | {
    "consumer": 302,
    "consumer_contributor": 302,
    "anonymous": 302,  # to the sign-in page
}


@personas([(p, SUBSCRIBE[p]) for p in ALL])
def test_subscribe_matrix(
    persona, expected, listing, consumer_project, consumer_contributor, consumer_viewer, client_for
):
    """Everyone signed in sees the listing; only the subscriber project's CONTRIBUTORs and
    OWNERs may name it (anyone else gets the form back with the project refused)."""
    before = _state()
    response = client_for(persona).post(
        f"/listings/{listing.pk}/subscribe/", {"project": consumer_project.pk, "reason": REASON}
    )
    assert response.status_code == expected
    if persona is None:
        assert "/accounts/login/" in response["Location"]
    if expected == 302 and persona is not None:
        assert SubscriptionRequest.objects.get().requester == persona
    else:
        assert _state() == before


def test_unpublished_listing_is_not_found_for_outsiders(listing, outsider, client_for):
    listing.status = "INACTIVE"
    listing.save()
    response = client_for(outsider).post(f"/listings/{listing.pk}/subscribe/", {"reason": REASON})
    assert response.status_code == 404
