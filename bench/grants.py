"""Approve → GRANTED through a real Celery worker on Redis, against moto's server.

Seeds N published Glue tables (in moto: under a location registered with Lake
Formation) and a consumer project with one DATA_LAKE environment, approves N
subscriptions, and waits for one idle worker to grant them all. Prints approve→GRANTED
p50/p95 (commit of the approval to the worker's GRANTED), the total, the same Lake
Formation and Glue calls made straight with boto3 (the ratio), the SQL queries per grant
(measured in-process on a few more grants), and a reconciliation pass over the N grants.

    DATABASE_URL=postgres://… .venv/bin/python bench/grants.py [N]     (default N=500)
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from _harness import REPO, bench_database, moto_server, percentile, summary  # noqa: I001

LOCATION = "s3://bench-curated/curatedzonedb/"
ROLE = "arn:aws:iam::111111111111:role/meshportal/mp-bench-consumer"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis():
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-redis-")
    process = subprocess.Popen(
        [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def seed_aws(server, n: int):
    glue, lf = server.client("glue"), server.client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "curatedzonedb"})
    glue.create_database(DatabaseInput={"Name": "bench_sub_db"})
    glue.create_database(DatabaseInput={"Name": "baseline_sub_db"})
    for i in range(n + 20):
        glue.create_table(
            DatabaseName="curatedzonedb",
            TableInput={
                "Name": f"table_{i}",
                "StorageDescriptor": {
                    "Columns": [{"Name": "id", "Type": "int"}],
                    "Location": f"{LOCATION}table_{i}/",
                },
            },
        )
    lf.register_resource(ResourceArn="arn:aws:s3:::bench-curated/curatedzonedb")


def baseline(server, n: int) -> float:
    """The calls the Lake Formation backend makes per grant, straight with boto3."""
    glue, lf = server.client("glue"), server.client("lakeformation")
    started = time.perf_counter()
    for i in range(n):
        table = {"CatalogId": "111111111111", "DatabaseName": "curatedzonedb", "Name": f"table_{i}"}
        lf.list_resources()
        lf.grant_permissions(
            Principal={"DataLakePrincipalIdentifier": ROLE},
            Resource={"Table": table},
            Permissions=["SELECT", "DESCRIBE"],
        )
        glue.get_database(Name="baseline_sub_db")
        try:
            glue.get_table(DatabaseName="baseline_sub_db", Name=f"table_{i}")
        except glue.exceptions.EntityNotFoundException:
            pass
        glue.create_table(
            DatabaseName="baseline_sub_db",
            TableInput={"Name": f"table_{i}", "TargetTable": table},
        )
        lf.grant_permissions(
            Principal={"DataLakePrincipalIdentifier": ROLE},
            Resource={
                "Table": {
                    "CatalogId": "111111111111",
                    "DatabaseName": "baseline_sub_db",
                    "Name": f"table_{i}",
                }
            },
            Permissions=["DESCRIBE"],
        )
    return time.perf_counter() - started


def seed_portal(n: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from catalog.choices import AssetType, DataSourceType, ListingStatus
    from catalog.models import Asset, DataSource, Listing
    from projects.choices import Blueprint, Designation, EnvironmentStatus
    from projects.models import (
        AwsAccount,
        Domain,
        Environment,
        EnvironmentProfile,
        Project,
        ProjectMembership,
    )

    User = get_user_model()
    owner = User.objects.create_user("bench-owner")
    consumer = User.objects.create_user("bench-consumer")
    domain = Domain.objects.create(name="bench")
    account = AwsAccount.objects.create(
        domain=domain, account_id="111111111111", region="us-east-1"
    )
    profile = EnvironmentProfile.objects.create(
        domain=domain,
        name="DataLakeProfile",
        blueprint=Blueprint.DATA_LAKE,
        aws_account=account,
        region="us-east-1",
        parameters={"s3_bucket": "meshportal-environments"},
    )
    producer = Project.objects.create(domain=domain, name="Producer")
    consumers = Project.objects.create(domain=domain, name="Consumer")
    ProjectMembership.objects.create(project=producer, user=owner, designation=Designation.OWNER)
    ProjectMembership.objects.create(
        project=consumers, user=consumer, designation=Designation.OWNER
    )
    source_env = Environment.objects.create(
        project=producer, profile=profile, name="Producer Lake", status=EnvironmentStatus.ACTIVE
    )
    Environment.objects.create(
        project=consumers,
        profile=profile,
        name="Consumer Lake",
        status=EnvironmentStatus.ACTIVE,
        grant_role_arn=ROLE,
        consumer_glue_database="bench_sub_db",
        athena_workgroup="bench",
    )
    source = DataSource.objects.create(
        project=producer,
        environment=source_env,
        name="curated",
        type=DataSourceType.GLUE,
        database="curatedzonedb",
    )
    assets = Asset.objects.bulk_create(
        Asset(
            domain=domain,
            project=producer,
            data_source=source,
            type=AssetType.GLUE_TABLE,
            external_identifier=f"arn:aws:glue:us-east-1:111111111111:table/curatedzonedb/table_{i}",
            technical_name=f"table_{i}",
            database_name="curatedzonedb",
            technical_metadata={"location": f"{LOCATION}table_{i}/"},
            content_hash=str(i),
        )
        for i in range(n + 20)
    )
    listings = Listing.objects.bulk_create(
        Listing(
            asset=asset,
            domain=domain,
            project=producer,
            revision=1,
            status=ListingStatus.ACTIVE,
            name=asset.technical_name,
            snapshot={},
            published_at=timezone.now(),
        )
        for asset in assets
    )
    return owner, consumer, consumers, listings


def approve(owner, consumer, project, listing):
    from subscriptions.services import subscription_request_accept, subscription_request_create

    request, _ = subscription_request_create(
        acting_user=consumer, listing=listing, project=project, reason="Benchmark"
    )
    return subscription_request_accept(acting_user=owner, request=request)


def start_worker(redis_url: str):
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url)
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/celery"), "-A", "meshportal", "worker", "--pool=solo"]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    time.sleep(8)  # the worker imports Django and connects
    return process, log.name


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (the worker process must reach the benchmark database).")
    redis, redis_url = start_redis()
    try:
        with moto_server() as server, bench_database("bench_grants"):
            seed_aws(server, n)
            raw = baseline(server, n)
            owner, consumer, project, listings = seed_portal(n)
            from django.conf import settings
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            from meshportal.celery import app
            from sharing.choices import GrantStatus
            from sharing.models import SubscriptionGrant
            from sharing.reconciliation import reconcile

            # SQL per approval and its grant, in-process (eager, as in the demo): the
            # count must not depend on how many grants exist already.
            per_grant = []
            for listing in listings[n : n + 20]:
                with CaptureQueriesContext(connection) as captured:
                    approve(owner, consumer, project, listing)
                per_grant.append(len(captured.captured_queries))

            worker, log = start_worker(redis_url)
            try:
                import kombu.pools

                # Forget the in-memory broker the eager set-up made (see tests/conftest.py).
                kombu.pools.reset()
                app._pool = None
                if "amqp" in app.__dict__:
                    app.amqp._producer_pool = None
                app.conf.broker_url = redis_url
                app.conf.task_always_eager = False
                settings.CELERY_TASK_ALWAYS_EAGER = False
                approved_at = {}
                started = time.perf_counter()
                for listing in listings[:n]:
                    subscription = approve(owner, consumer, project, listing)
                    approved_at[subscription.pk] = time.time()
                deadline = time.monotonic() + 30 + n
                while time.monotonic() < deadline:
                    left = SubscriptionGrant.objects.filter(
                        subscription_id__in=approved_at
                    ).exclude(status__in=[GrantStatus.GRANTED, GrantStatus.GRANT_FAILED])
                    if not left.exists():
                        break
                    time.sleep(0.2)
                total = time.perf_counter() - started
            finally:
                worker.terminate()
                worker.wait()
            grants = SubscriptionGrant.objects.filter(subscription_id__in=approved_at)
            latencies = [
                g.granted_at.timestamp() - approved_at[g.subscription_id]
                for g in grants
                if g.status == GrantStatus.GRANTED
            ]
            failed = grants.exclude(status=GrantStatus.GRANTED).count()
            reconcile_started = time.perf_counter()
            outcome = reconcile(dry_run=True)
            reconcile_seconds = time.perf_counter() - reconcile_started
    finally:
        redis.terminate()
    print(f"Grants through a real worker on Redis against moto's server, N={n}")
    print(f"  approve→GRANTED:            {summary(latencies)}")
    print(f"    p50 {percentile(latencies, 50):.2f} s  p95 {percentile(latencies, 95):.2f} s")
    print(f"  total (approve all → all GRANTED): {total:.1f} s  (not granted: {failed})")
    print(f"  raw boto3 calls, same grants:      {raw:.1f} s")
    print(f"  ratio portal total / raw:          {total / raw:.2f}x")
    print(f"  SQL queries per approval + grant (in-process): {sorted(set(per_grant))}")
    print(
        f"  reconciliation over {outcome.grants} grants: {reconcile_seconds:.1f} s, "
        f"{outcome.drift.resources_checked} resources, {len(outcome.drift.missing)} missing"
    )
    print(f"  worker log: {log}")


if __name__ == "__main__":
    main()
