"""Scenario steps 10-12 in Chromium, against moto: after approval marketing sees its
grant GRANTED with a ready Athena query (and Lake Formation agrees); the unmanaged
`category_streams` is MANUAL and the film owner marks it done on the page; after the
revoke both sides see access taken away and the permission is gone."""

import pytest
from playwright.sync_api import expect

from sharing.models import SubscriptionGrant
from subscriptions.services import (
    subscription_request_accept,
    subscription_request_create,
    subscription_revoke,
)
from tests.catalog.factories import AssetFactory, ListingFactory
from tests.projects.factories import (
    AwsAccountFactory,
    DomainFactory,
    EnvironmentFactory,
    EnvironmentProfileFactory,
    film_and_marketing,
)
from tests.sharing.conftest import (
    CONSUMER_ROLE_SAME,
    FILM_LOCATION,
    PRODUCER,
    REASON,
    make_glue_database,
    make_glue_table,
    table_permissions,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db, aws):
    domain = DomainFactory(name="streaming")
    account = AwsAccountFactory(domain=domain, account_id=PRODUCER)
    profile = EnvironmentProfileFactory(domain=domain, aws_account=account, name="DataLakeProfile")
    film_owner, marketing, film, consumer = film_and_marketing(domain)
    film_env = EnvironmentFactory(project=film, profile=profile, name="Film Lake")
    EnvironmentFactory(
        project=consumer,
        profile=profile,
        name="Marketing Lake",
        grant_role_arn=CONSUMER_ROLE_SAME,
        consumer_glue_database="marketing_sub_db",
        athena_workgroup="meshportal-marketing-lake",
    )
    listings = {}
    for name, location in (
        ("film_category", FILM_LOCATION),
        ("category_streams", "s3://raw-bucket/streams/category_streams/"),
    ):
        asset = AssetFactory(
            data_source__project=film,
            data_source__environment=film_env,
            technical_name=name,
            technical_metadata={"location": location},
            columns=2,
        )
        listings[name] = ListingFactory(asset=asset)
        make_glue_table(aws.client("glue"), "curatedzonedb", name, location)
    make_glue_database(aws.client("glue"), "marketing_sub_db")
    aws.client("lakeformation").register_resource(
        ResourceArn="arn:aws:s3:::curated-bucket/curatedzonedb"
    )
    subscriptions = {}
    for name, listing in listings.items():
        request, _ = subscription_request_create(
            acting_user=marketing, listing=listing, project=consumer, reason=REASON
        )
        subscriptions[name] = subscription_request_accept(acting_user=film_owner, request=request)
    return film_owner, marketing, subscriptions


def test_grants_seen_and_fulfilled_on_the_pages(live_server, page, login, world, aws):
    film_owner, marketing, subscriptions = world
    film_url = f"{live_server.url}/subscriptions/{subscriptions['film_category'].pk}/"
    streams_url = f"{live_server.url}/subscriptions/{subscriptions['category_streams'].pk}/"

    # Step 10: marketing sees the grant and the query to run.
    login(marketing)
    page.goto(film_url)
    grant = page.get_by_test_id("grant")
    expect(grant.get_by_test_id("grant-status")).to_have_text("Granted")
    expect(grant.get_by_test_id("query")).to_have_text(
        'SELECT * FROM "marketing_sub_db"."film_category" LIMIT 10'
    )
    expect(grant).to_contain_text("meshportal-marketing-lake")
    assert table_permissions(
        aws.client("lakeformation"), PRODUCER, "curatedzonedb", "film_category"
    ) == {CONSUMER_ROLE_SAME: (["DESCRIBE", "SELECT"], [])}

    # Step 11: category_streams is not under a registered location: MANUAL.
    page.goto(streams_url)
    expect(page.get_by_test_id("manual-note")).to_have_text(
        "Access is provided by the producing team."
    )
    page.context.clear_cookies()
    login(film_owner)
    page.goto(streams_url)
    page.get_by_label("Message").fill("Bucket policy updated for the marketing role")
    page.get_by_role("button", name="Mark GRANTED").click()
    expect(page.get_by_test_id("grant-status")).to_have_text("Granted")
    page.context.clear_cookies()
    login(marketing)
    page.goto(streams_url)
    expect(page.get_by_test_id("grant-status")).to_have_text("Granted")
    expect(page.get_by_test_id("timeline")).to_contain_text("Bucket policy updated")

    # Step 12: revoked; both sides see access taken away, and Lake Formation agrees.
    subscription_revoke(
        acting_user=film_owner, subscription=subscriptions["film_category"], reason="Over"
    )
    page.goto(film_url)
    expect(page.get_by_test_id("grant-status")).to_have_text("Revoked")
    assert (
        table_permissions(aws.client("lakeformation"), PRODUCER, "curatedzonedb", "film_category")
        == {}
    )
    page.context.clear_cookies()
    login(film_owner)
    page.goto(film_url)
    expect(page.get_by_test_id("grant-status")).to_have_text("Revoked")
    assert SubscriptionGrant.objects.filter(status="REVOKED").count() == 1
