"""Fixtures for sharing: a second moto server that keeps one state per account, the
fault-injecting proxy, and Glue tables to share.

The session's main moto server pins every call to 111111111111 (MOTO_ACCOUNT_ID), which
suits same-account grants. Cross-account grants need moto to switch accounts on
assumed-role credentials, which it does only without MOTO_ACCOUNT_ID, so those tests
point boto3 at a second server started that way.
"""

import boto3
import pytest

from tests.catalog.throttling_proxy import AwsProxy
from tests.conftest import REASON, MotoServer

PRODUCER = "111111111111"
CONSUMER = "222222222222"
REGION = "us-east-1"


class MultiAccountMotoServer(MotoServer):
    """moto's server WITHOUT MOTO_ACCOUNT_ID: each assumed role's account has its own state."""

    account_id = None
    name = "moto server (multi-account)"

    def client_in(self, account_id: str, service: str, region: str = REGION):
        """A client whose calls land in ``account_id``: credentials of an assumed role there,
        exactly how the portal reaches an AwsAccount with a role ARN."""
        sts = boto3.client("sts", region_name=region, endpoint_url=self.endpoint)
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/test-reader", RoleSessionName="test"
        )["Credentials"]
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )


@pytest.fixture(scope="session")
def multi_account_moto_server(moto_server):
    """Started once per session, after the main server set the dummy credentials."""
    server = MultiAccountMotoServer()
    yield server
    server.stop()


@pytest.fixture
def two_accounts(multi_account_moto_server, monkeypatch):
    """boto3 (and so the portal) talks to the multi-account server for this test."""
    from meshportal import aws

    multi_account_moto_server.reset()
    # moto's reset forgets the assumed-role credentials it issued, and with them which
    # account they belong to: the portal's cached clients would land in moto's default
    # account. (Real STS credentials stay valid for their hour.)
    aws.forget_clients()
    monkeypatch.setenv("AWS_ENDPOINT_URL", multi_account_moto_server.endpoint)
    return multi_account_moto_server


@pytest.fixture
def proxy(aws, monkeypatch):
    """boto3 goes through the misbehaving proxy to the main moto server for the test."""
    with AwsProxy(aws.endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.endpoint)
        yield proxy


def make_glue_table(glue, database: str, table: str, location: str, *, catalog_id=None):
    """A Glue database (if missing) and a table in it, as the producer's ETL would leave."""
    extra = {"CatalogId": catalog_id} if catalog_id else {}
    try:
        glue.create_database(DatabaseInput={"Name": database}, **extra)
    except glue.exceptions.AlreadyExistsException:
        pass
    glue.create_table(
        DatabaseName=database,
        TableInput={
            "Name": table,
            "StorageDescriptor": {
                "Columns": [{"Name": "film_id", "Type": "int"}],
                "Location": location,
            },
        },
        **extra,
    )


def make_glue_database(glue, database: str):
    try:
        glue.create_database(DatabaseInput={"Name": database})
    except glue.exceptions.AlreadyExistsException:
        pass


def table_permissions(lakeformation, catalog_id: str, database: str, table: str) -> dict:
    """{principal: (sorted permissions, sorted grantable)} on one table, as LF reports it."""
    answer = lakeformation.list_permissions(
        Resource={"Table": {"CatalogId": catalog_id, "DatabaseName": database, "Name": table}}
    )["PrincipalResourcePermissions"]
    return {
        entry["Principal"]["DataLakePrincipalIdentifier"]: (
            sorted(entry.get("Permissions", [])),
            sorted(entry.get("PermissionsWithGrantOption", [])),
        )
        for entry in answer
    }


# --- the scenario's two projects (steps 10-12) ---------------------------------------------

FILM_LOCATION = "s3://curated-bucket/curatedzonedb/film_category/"
CONSUMER_ROLE_SAME = f"arn:aws:iam::{PRODUCER}:role/meshportal/mp-marketing-lake"


@pytest.fixture
def producer_environment(project, profile):
    from tests.projects.factories import EnvironmentFactory

    return EnvironmentFactory(project=project, profile=profile, name="Film Lake")


@pytest.fixture
def listing(project, producer_environment):
    """`Movie listings with category` (curatedzonedb.film_category), published."""
    from tests.catalog.factories import AssetFactory, ListingFactory

    asset = AssetFactory(
        data_source__project=project,
        data_source__environment=producer_environment,
        technical_name="film_category",
        business_name="Movie listings with category",
        technical_metadata={"location": FILM_LOCATION, "format": "parquet"},
        columns=3,
    )
    return ListingFactory(asset=asset)


@pytest.fixture
def consumer_environment(consumer_project, profile):
    """marketing's ACTIVE data lake environment, as provisioning leaves it."""
    from tests.projects.factories import EnvironmentFactory

    return EnvironmentFactory(
        project=consumer_project,
        profile=profile,
        name="Marketing Lake",
        grant_role_arn=CONSUMER_ROLE_SAME,
        consumer_glue_database="marketing_sub_db",
        athena_workgroup="meshportal-marketing-lake",
    )


@pytest.fixture
def lake(aws):
    """The film table in Glue under a location registered with Lake Formation, and
    marketing's consumer database."""
    glue = aws.client("glue")
    make_glue_table(glue, "curatedzonedb", "film_category", FILM_LOCATION)
    make_glue_database(glue, "marketing_sub_db")
    aws.client("lakeformation").register_resource(
        ResourceArn="arn:aws:s3:::curated-bucket/curatedzonedb"
    )
    return aws


@pytest.fixture
def approve(owner, consumer):
    """Request (as the consumer) and accept (as the film owner): returns the subscription."""

    def run(listing, project):
        from subscriptions.services import subscription_request_accept, subscription_request_create

        request, _ = subscription_request_create(
            acting_user=consumer, listing=listing, project=project, reason=REASON
        )
        return subscription_request_accept(acting_user=owner, request=request)

    return run


@pytest.fixture
def tables(lake, project, producer_environment):
    """``tables(n)``: listings of n more Glue tables under the registered location."""
    from tests.catalog.factories import AssetFactory, ListingFactory

    glue = lake.client("glue")

    def make(count: int):
        listings = []
        for _ in range(count):
            asset = AssetFactory(
                data_source__project=project, data_source__environment=producer_environment
            )
            location = f"s3://curated-bucket/curatedzonedb/{asset.technical_name}/"
            asset.technical_metadata = {"location": location}
            asset.save(update_fields=["technical_metadata"])
            make_glue_table(glue, "curatedzonedb", asset.technical_name, location)
            listings.append(ListingFactory(asset=asset))
        return listings

    return make


@pytest.fixture
def approved(tables, approve, consumer_project, consumer_environment):
    """``approved(n)``: n subscriptions approved while no task runs; their grants, PENDING,
    in the order approved."""
    from sharing import services
    from sharing.choices import GrantStatus
    from sharing.models import SubscriptionGrant

    def make(count: int) -> list:
        with pytest.MonkeyPatch.context() as held_back:
            held_back.setattr(services, "_enqueue", lambda task, ids: None)
            subscriptions = [approve(listing, consumer_project) for listing in tables(count)]
        grants = [SubscriptionGrant.objects.get(subscription=s) for s in subscriptions]
        assert {g.status for g in grants} == {GrantStatus.PENDING}
        return grants

    return make


def permissions_of(aws, grant) -> dict:
    """The permissions Lake Formation holds on the grant's table (its row re-read)."""
    grant.refresh_from_db()
    name = grant.subscription.listing.asset.technical_name
    return table_permissions(aws.client("lakeformation"), PRODUCER, "curatedzonedb", name)
