"""A consumer project's page helps its people find data and shows what the project
subscribes to: subscriptions with their access per environment and a link to the
request, pending requests, and a call to search the catalog when there is nothing yet.
The section is the subscriptions app's own partial (projects knows nothing of it)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sharing.choices import GrantBackend, GrantStatus
from sharing.models import SubscriptionGrant
from subscriptions import services
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import EnvironmentFactory

from .conftest import REASON

pytestmark = pytest.mark.django_db


def section(html: str) -> str:
    match = re.search(r'data-testid="project-consumption">(.*?)</section>', html, re.S)
    assert match, "no 'Data this project uses' section"
    return match.group(1)


def plain(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def subscribe(listing, project, consumer, owner):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=project, reason=REASON
    )
    services.subscription_request_accept(acting_user=owner, request=request)
    request.refresh_from_db()
    return request


def test_a_project_without_subscriptions_is_sent_to_the_catalog(
    client_for, consumer_project, consumer
):
    html = section(client_for(consumer).get(f"/projects/{consumer_project.pk}/").content.decode())
    assert "This project does not subscribe to any data yet." in html
    assert f'<a class="btn btn--primary" href="{reverse("search")}"' in html
    assert 'data-testid="project-subscriptions"' not in html


def test_subscriptions_with_access_per_environment_and_pending_requests(
    client_for, project, listing, consumer_project, consumer, owner
):
    profile = listing.asset.data_source.environment.profile
    request = subscribe(listing, consumer_project, consumer, owner)
    lake = EnvironmentFactory(project=consumer_project, profile=profile, name="Marketing Lake")
    other = EnvironmentFactory(project=consumer_project, profile=profile, name="Archive Lake")
    SubscriptionGrant.objects.create(
        subscription=request.subscription,
        environment=lake,
        backend=GrantBackend.LAKE_FORMATION,
        status=GrantStatus.GRANTED,
    )
    SubscriptionGrant.objects.create(
        subscription=request.subscription,
        environment=other,
        backend=GrantBackend.LAKE_FORMATION,
        status=GrantStatus.GRANT_FAILED,
    )
    waiting = ListingFactory(
        asset=AssetFactory(data_source=listing.asset.data_source, business_name="Streams")
    )
    pending, _ = services.subscription_request_create(
        acting_user=consumer, listing=waiting, project=consumer_project, reason=REASON
    )

    html = section(client_for(consumer).get(f"/projects/{consumer_project.pk}/").content.decode())

    rows = re.findall(r'<tr data-listing="[^"]+">(.*?)</tr>', html, re.S)
    assert [plain(row) for row in rows] == [
        "Movie listings with category from Film Catalog Project · since "
        + request.subscription.created_at.strftime("%b %-d, %Y")
        + " Approved Archive Lake Grant failed Marketing Lake Granted Request"
    ]
    assert f'href="/subscriptions/{request.subscription.pk}/"' in rows[0]
    assert f'href="/subscription-requests/{request.pk}/" data-testid="request-link"' in rows[0]
    waiting_html = re.search(r'data-testid="project-requests">(.*?)</div>', html, re.S).group(1)
    assert f'href="/subscription-requests/{pending.pk}/"' in waiting_html
    assert "Streams" in plain(waiting_html) and "asked by marketing-owner" in plain(waiting_html)
    assert "does not subscribe to any data yet" not in html

    # The producer's own project page has nothing of this (it subscribes to nothing).
    producer = section(client_for(owner).get(f"/projects/{project.pk}/").content.decode())
    assert "This project does not subscribe to any data yet." in producer


def test_the_section_shows_only_what_the_user_may_see(
    client_for, listing, consumer_project, consumer, owner, outsider, steward
):
    subscribe(listing, consumer_project, consumer, owner)
    # A steward of the domain sees the project (read-only) and its subscriptions.
    html = section(client_for(steward).get(f"/projects/{consumer_project.pk}/").content.decode())
    assert "Movie listings with category" in html
    assert client_for(outsider).get(f"/projects/{consumer_project.pk}/").status_code == 404


def test_project_page_query_count_is_pinned(client_for, listing, consumer_project, consumer, owner):
    source = listing.asset.data_source
    profile = source.environment.profile
    EnvironmentFactory(project=consumer_project, profile=profile, name="Marketing Lake")
    client = client_for(consumer)
    page = f"/projects/{consumer_project.pk}/"

    def grow(n):
        for _ in range(n):
            # Accepting gives the project's environment its grant (PENDING here: the
            # task that fulfils it runs on commit, which this test never reaches).
            subscribe(
                ListingFactory(asset=AssetFactory(data_source=source)),
                consumer_project,
                consumer,
                owner,
            )
            services.subscription_request_create(
                acting_user=consumer,
                listing=ListingFactory(asset=AssetFactory(data_source=source)),
                project=consumer_project,
                reason=REASON,
            )

    grow(1)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        client.get(page)
    grow(12)  # more than the section shows: it links to the rest
    with CaptureQueriesContext(connection) as more:
        html = section(client.get(page).content.decode())
    assert len(re.findall(r'<tr data-listing="', html)) == 10
    assert html.count('data-environment="Marketing Lake"') == 10
    assert "See all 13 subscriptions" in html and "See all 13 pending requests" in html
    assert len(more) == len(few)
