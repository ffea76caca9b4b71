"""Scenario steps 8, 9 and 12 in Chromium (without the AWS part): marketing-team-admin
finds `Movie listings with category`, subscribes for marketing-team-analysis with the
scenario's reason; film-catalog-team-admin sees the task, opens the request and approves
it with a comment, in place; both sides see the subscription; the film owner revokes it
and both sides see REVOKED."""

import re

import pytest
from playwright.sync_api import expect

from catalog.search import rebuild_listing_documents
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import (
    DomainFactory,
    film_and_marketing,
)

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Need access to the movie listings with category table for a new marketing project"


@pytest.fixture
def world(transactional_db):
    domain = DomainFactory(name="streaming")
    film_owner, marketing, film, consumer = film_and_marketing(domain)
    asset = AssetFactory(
        data_source__project=film,
        technical_name="film_category",
        business_name="Movie listings with category",
        description="A complete listing of all films in the streaming catalog with each "
        "film's category/genre and its special features.",
        columns=4,
    )
    listing = ListingFactory(asset=asset)
    rebuild_listing_documents([listing])
    return film_owner, marketing, listing


def _sign_in_as(page, login, user):
    page.context.clear_cookies()
    return login(user)


def test_subscribe_approve_and_revoke(live_server, page, login, world):
    film_owner, marketing, listing = world
    page.on("dialog", lambda dialog: dialog.accept())  # hx-confirm on revoke

    # Step 8: search, open, subscribe with the reason.
    _sign_in_as(page, login, marketing)
    box = page.get_by_role("combobox", name="Search the catalog")
    box.fill("movie genre")
    box.press("Enter")
    first = page.get_by_test_id("listing-card").first
    expect(first.get_by_test_id("listing-link")).to_have_text("Movie listings with category")
    first.get_by_test_id("listing-link").click()
    page.wait_for_url(f"{live_server.url}/listings/{listing.pk}/")
    form = page.get_by_test_id("subscribe-form")
    form.get_by_label("Project").select_option(label="marketing-team-analysis")
    form.get_by_label("Reason").fill(REASON)
    form.get_by_role("button", name="Subscribe").click()
    page.wait_for_url(re.compile(r"/subscription-requests/[0-9a-f-]+/$"))
    request_url = page.url
    expect(page.get_by_test_id("request-status")).to_have_text("PENDING")
    expect(page.get_by_test_id("request-reason")).to_have_text(REASON)
    page.goto(f"{live_server.url}/listings/{listing.pk}/")
    expect(page.get_by_test_id("subscription-state")).to_contain_text(
        "Requested for marketing-team-analysis by marketing-team-admin, pending"
    )

    # Step 9: the film owner sees the task and approves with a comment, in place.
    _sign_in_as(page, login, film_owner)
    expect(page.get_by_test_id("to-decide-count")).to_have_text("1")
    page.get_by_test_id("nav-notifications").click()
    task = page.get_by_role("button", name=re.compile("marketing-team-analysis asks to subscribe"))
    expect(task).to_be_visible()
    task.click()  # marks it read and opens the request
    page.wait_for_url(request_url)
    expect(page.get_by_test_id("request-requester")).to_have_text("marketing-team-admin")
    expect(page.get_by_test_id("request-project")).to_have_text("marketing-team-analysis")
    accept = page.get_by_test_id("accept-form")
    accept.get_by_label("Comment").fill("Approved for the autumn campaign")
    accept.get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("request-status")).to_have_text("ACCEPTED")
    expect(page.get_by_test_id("notice")).to_contain_text("Accepted")
    expect(page.get_by_test_id("decision-comment")).to_have_text("Approved for the autumn campaign")
    assert page.url == request_url  # decided in place
    page.get_by_test_id("subscription-link").click()
    page.wait_for_url(re.compile(r"/subscriptions/[0-9a-f-]+/$"))
    subscription_url = page.url
    expect(page.get_by_test_id("subscription-status")).to_have_text("APPROVED")
    expect(page.get_by_test_id("access")).to_be_visible()

    # Both sides see it.
    _sign_in_as(page, login, marketing)
    page.get_by_test_id("nav-subscriptions").click()
    page.get_by_test_id("tab-consumed").click()
    expect(page.get_by_test_id("count-consumed")).to_have_text("1")
    page.get_by_role("link", name="Movie listings with category").click()
    expect(page.get_by_test_id("subscription-status")).to_have_text("APPROVED")

    # Step 12: the film owner revokes; both sides see REVOKED.
    _sign_in_as(page, login, film_owner)
    page.goto(subscription_url)
    page.get_by_test_id("revoke-form").get_by_label("Reason").fill("Campaign over")
    page.get_by_test_id("revoke-button").click()
    expect(page.get_by_test_id("subscription-status")).to_have_text("REVOKED")
    expect(page.get_by_test_id("subscription-ended")).to_contain_text("Campaign over")
    _sign_in_as(page, login, marketing)
    page.goto(subscription_url)
    expect(page.get_by_test_id("subscription-status")).to_have_text("REVOKED")
    expect(page.get_by_test_id("timeline")).to_contain_text("Campaign over")
