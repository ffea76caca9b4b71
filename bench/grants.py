"""Approve → GRANTED through a real Celery worker on Redis, against moto's server.

Seeds published Glue tables (in moto: under a location registered with Lake Formation)
and a consumer project with one DATA_LAKE environment, then measures two things with one
worker (--pool=solo):

- paced latency: subscriptions approved one at a time, the next only after the previous
  one is GRANTED, so the worker is idle when each approval arrives. approve→GRANTED is
  timed from the start of the approving call (its SQL included) to the worker's
  granted_at: this is what a person waits for, and the figure the p95 ≤ 2 s target is about.
- burst: N requests made first, then approved back to back, as fast as the approvals
  commit (in this process, competing with the worker for the CPU); the total runs from
  the first approval to the last GRANTED. Latencies in a burst include
  the time a grant waits in the queue behind the others, so they are printed separately
  and say little about one grant.
- drain: N more subscriptions approved while the worker reads nothing, then the worker
  told to read its queue again: fulfilment alone, as the raw loop is (its ratio is printed
  next to the burst's, which also carries the approvals competing for the CPU). Measured
  DRAINS times, each right after the raw loop grants its own N on its own moto server:
  moto's speed on a shared machine drifts from one minute to the next, so each drain is
  compared with a raw run made a few seconds before it, and the median ratio is the
  figure.

CPU seconds of the worker, moto and this process per grant are printed for each phase
(from /proc, so they hold on a busy machine where wall-clock figures do not), with the
load average. BENCH_WORKER_PROFILE=path runs the worker under cProfile.

Next to it: the same Lake Formation and Glue calls the backend makes per grant, straight
with boto3 in one loop (the ratios; _grants_raw.RawLoop), the AWS calls and SQL queries per grant (counted
in-process on a few more grants), and a reconciliation pass over the grants.

    DATABASE_URL=postgres://… .venv/bin/python bench/grants.py [N]     (default N=500)
"""

import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from _grants_raw import (  # noqa: I001
    DRAINS,
    EXTRA_SQL,
    LOCATION,
    ROLE,
    RawLoop,
    cpu_seconds,
    own_cpu,
    paced_count,
    seed_aws,
    tables_count,
)
from _harness import REPO, bench_database, bench_project, moto_server, summary


def loadavg() -> str:
    with open("/proc/loadavg") as load:
        return " ".join(load.read().split()[:3])


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


def seed_portal(n: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from catalog.choices import AssetType, DataSourceType, ListingStatus
    from catalog.models import Asset, DataSource, Listing
    from projects.choices import Designation, EnvironmentStatus
    from projects.models import (
        Environment,
        Project,
        ProjectMembership,
    )

    owner, producer, profile = bench_project()  # the film team's side: its OWNER, project
    domain = producer.domain
    consumer = get_user_model().objects.create_user("bench-consumer")
    consumers = Project.objects.create(domain=domain, name="Consumer")
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
        database_name="curatedzonedb",
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
        for i in range(tables_count(n))
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


def request(consumer, project, listing):
    from subscriptions.services import subscription_request_create

    made, _ = subscription_request_create(
        acting_user=consumer, listing=listing, project=project, reason="Benchmark"
    )
    return made


def accept(owner, pending):
    """Approve; returns (subscription, when the approving call started)."""
    from subscriptions.services import subscription_request_accept

    started = time.time()
    return subscription_request_accept(acting_user=owner, request=pending), started


def approve(owner, consumer, project, listing):
    """Request and approve; returns (subscription, when the approving call started)."""
    return accept(owner, request(consumer, project, listing))


class CallCounter:
    """Counts AWS API calls made in this process (botocore's one funnel for them)."""

    def __init__(self):
        self.calls = []

    def __enter__(self):
        from botocore.client import BaseClient

        self._original = original = BaseClient._make_api_call
        calls = self.calls

        def counting(client, operation, params):
            calls.append(f"{client.meta.service_model.service_name}.{operation}")
            return original(client, operation, params)

        BaseClient._make_api_call = counting
        return self

    def __exit__(self, *exc):
        from botocore.client import BaseClient

        BaseClient._make_api_call = self._original


def count_per_grant(owner, consumer, project, listings):
    """SQL of the approval, SQL of the grant task and AWS calls of the grant, per grant,
    run in-process: eager tasks would mix approval and grant, so the task is run by hand."""
    import cProfile

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sharing import granting
    from sharing.models import SubscriptionGrant

    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    rows = []
    for listing in listings:
        with CaptureQueriesContext(connection) as approval_sql, CallCounter():
            subscription, _ = approve(owner, consumer, project, listing)
        grant = SubscriptionGrant.objects.get(subscription=subscription)
        with CaptureQueriesContext(connection) as grant_sql, CallCounter() as calls:
            if profile is not None:
                profile.enable()
            outcome = granting.fulfil(grant.pk)
            if profile is not None:
                profile.disable()
        assert outcome == "granted", outcome  # noqa: S101 (a bench that measured a failure lies)
        rows.append((len(approval_sql.captured_queries), len(grant_sql), calls.calls))
    if profile is not None:  # BENCH_PROFILE=1: where the grant task spends its time
        import pstats

        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return rows


def start_worker(redis_url: str):
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    log = tempfile.NamedTemporaryFile(prefix="bench-worker-", suffix=".log", delete=False)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        PYTHONPATH=str(REPO),  # this tree's code, whatever the venv was installed from
        # As deployed: production settings, so Django keeps no log of every query (DEBUG
        # on, each statement is also formatted and stored, and the worker is timed with it).
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
    )
    # BENCH_WORKER_PROFILE=path: the worker runs under cProfile and writes its profile
    # there when it stops (read it with pstats).
    profile = os.environ.get("BENCH_WORKER_PROFILE")
    wrap = [sys.executable, "-m", "cProfile", "-o", profile] if profile else []
    process = subprocess.Popen(
        wrap
        + [str(REPO / ".venv/bin/celery"), "-A", "meshportal", "worker", "--pool=solo"]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    time.sleep(8)  # the worker imports Django and connects
    return process, log.name


def use_broker(redis_url: str, queue: str) -> None:
    """Send tasks through Redis (not eagerly), to ``queue``."""
    import kombu.pools
    from django.conf import settings

    from meshportal.celery import app

    # Forget the in-memory broker the eager set-up made (see tests/conftest.py).
    kombu.pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app.conf.broker_url = redis_url
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False


def wait_granted(subscription_ids, timeout: float, poll: float = 0.01) -> None:
    """Until every grant of the subscriptions is done. Burst and drain poll every 0.1 s:
    a query over N ids every 10 ms cost this process ~19 ms of CPU per grant (and
    PostgreSQL more), taken from the worker and moto, while the raw loop polls nothing;
    the total's end is then known to within 0.1 s."""
    from sharing.choices import GrantStatus
    from sharing.models import SubscriptionGrant

    deadline = time.monotonic() + timeout
    pending = SubscriptionGrant.objects.filter(subscription_id__in=subscription_ids).exclude(
        status__in=[GrantStatus.GRANTED, GrantStatus.GRANT_FAILED]
    )
    while time.monotonic() < deadline and pending.exists():
        time.sleep(poll)


def task_runtimes(log_path: str) -> list[float]:
    """Celery's own runtime of each grant task (its "succeeded in X s" log line): the
    worker's time per grant, without queueing."""
    import re

    pattern = re.compile(r"sharing\.tasks\.grant_fulfil\[[^\]]+\] succeeded in ([0-9.]+)s")
    with open(log_path, errors="replace") as log:
        return [float(m.group(1)) for m in pattern.finditer(log.read())]


def latencies_of(approved_at: dict) -> tuple[list, int]:
    from sharing.choices import GrantStatus
    from sharing.models import SubscriptionGrant

    grants = list(SubscriptionGrant.objects.filter(subscription_id__in=approved_at))
    latencies = [
        g.granted_at.timestamp() - approved_at[g.subscription_id]
        for g in grants
        if g.status == GrantStatus.GRANTED
    ]
    return latencies, len(approved_at) - len(latencies)


class CpuMeter:
    """CPU seconds of this process, the worker and moto over a phase, and the load."""

    def __init__(self, worker, server):
        self.pids = (worker.pid, server.process.pid)

    def now(self):
        return (own_cpu(), *(cpu_seconds(pid) for pid in self.pids))

    def __enter__(self):
        self.load_before, self.before = loadavg(), self.now()
        return self

    def __exit__(self, *exc):
        self.used = [after - before for before, after in zip(self.before, self.now(), strict=True)]
        self.load_after = loadavg()

    def per_grant(self, n: int) -> str:
        own, worker, moto = (seconds / n * 1000 for seconds in self.used)
        return f"worker {worker:.1f} ms, moto {moto:.1f} ms, this process {own:.1f} ms"


def burst(owner, consumer, project, listings, worker, server):
    """The N requests made first (not timed), then all approved back to back while the
    worker grants; the total runs from the first approval to the last GRANTED."""
    pending = [request(consumer, project, listing) for listing in listings]
    approved_at = {}
    with CpuMeter(worker, server) as meter:
        started = time.perf_counter()
        for one in pending:
            subscription, approved = accept(owner, one)
            approved_at[subscription.pk] = approved
        approving = time.perf_counter() - started
        wait_granted(list(approved_at), 30 + len(listings), poll=0.1)
        total = time.perf_counter() - started
    return approved_at, approving, total, meter


def drain(owner, consumer, project, listings, worker, server, raw_run):
    """N subscriptions approved while the worker reads nothing (its consumer of the queue
    cancelled), then the worker told to read the queue again: the time from then to the
    last GRANTED is fulfilment alone, the portal's side of what the raw loop does (no
    approvals compete for the CPU). One queue, as deployed: a second queue read in turn
    would run a webhooks fan-out after every grant, where one queue lets the debounce
    fold them into the one queued behind the backlog."""
    from meshportal.celery import app

    pending = [request(consumer, project, listing) for listing in listings]
    app.control.cancel_consumer("celery", reply=True)
    subscriptions = [accept(owner, one)[0].pk for one in pending]
    raw = raw_run()  # the raw loop's matching run, now, while the portal's side is idle
    with CpuMeter(worker, server) as meter:
        started = time.perf_counter()
        app.control.add_consumer("celery", reply=True)
        wait_granted(subscriptions, 30 + len(listings), poll=0.1)
        total = time.perf_counter() - started
    return subscriptions, total, meter, raw


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    paced = paced_count(n)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (the worker process must reach the benchmark database).")
    redis, redis_url = start_redis()
    try:
        # A database of this run's own: other people may run this bench at the same time.
        with (
            moto_server() as server,
            RawLoop() as raw_loop,
            bench_database(f"bench_grants_{os.getpid()}"),
        ):
            from django.conf import settings

            seed_aws(server, n)
            raw_loop.seed(n)
            owner, consumer, project, listings = seed_portal(n)
            settings.DEBUG = False  # as the worker: no query log while timing
            # Burst [0, n), paced [n, n + paced), counted, then each drain's n.
            counted_listings = listings[n + paced : n + paced + EXTRA_SQL]
            drain_listings = listings[n + paced + EXTRA_SQL :]
            from sharing.reconciliation import reconcile

            # Counted in-process; their messages go to a queue no worker reads.
            use_broker(redis_url, "bench-counted")
            counted = count_per_grant(owner, consumer, project, counted_listings)

            use_broker(redis_url, "celery")
            worker, log = start_worker(redis_url)
            try:
                # Paced: one approval at a time, each after the previous grant is done.
                paced_at = {}
                for listing in listings[n : n + paced]:
                    subscription, started = approve(owner, consumer, project, listing)
                    paced_at[subscription.pk] = started
                    wait_granted([subscription.pk], 30)
                raw, raw_cpu, raw_moto_cpu = raw_loop.timed(range(n))
                burst_at, approving, total, burst_cpu = burst(
                    owner, consumer, project, listings[:n], worker, server
                )
                tasks_by_then = len(task_runtimes(log))  # the paced ones and the burst's
                drains = [
                    drain(
                        owner,
                        consumer,
                        project,
                        drain_listings[i * n : (i + 1) * n],
                        worker,
                        server,
                        lambda i=i: raw_loop.timed(range(n + i * n, n + (i + 1) * n)),
                    )
                    for i in range(DRAINS)
                ]
            finally:
                worker.terminate()
                worker.wait()
            paced_latencies, paced_failed = latencies_of(paced_at)
            burst_latencies, burst_failed = latencies_of(burst_at)
            drain_failed = sum(latencies_of(dict.fromkeys(d[0], 0))[1] for d in drains)
            reconcile_started = time.perf_counter()
            outcome = reconcile(dry_run=True)
            reconcile_seconds = time.perf_counter() - reconcile_started
    finally:
        redis.terminate()
    aws_calls = sorted({len(calls) for _a, _g, calls in counted})
    runtimes = task_runtimes(log)[paced:tasks_by_then]  # the paced grants finished first
    print(f"Grants through one real worker (--pool=solo) on Redis against moto's server, N={n}")
    print(f"  paced ({paced} approvals, each after the previous grant is GRANTED; worker idle):")
    print(f"    approve→GRANTED  {summary(paced_latencies)}  (not granted: {paced_failed})")
    print(f"  burst ({n} approvals back to back in {approving:.1f} s, then wait):")
    print(f"    total, first approval → last GRANTED: {total:.1f} s  (not granted: {burst_failed})")
    print(f"    approve→GRANTED incl. queueing: {summary(burst_latencies)}")
    print(f"    worker's runtime per burst grant task (Celery): {summary(runtimes)}")
    print(f"    sum of the worker's task runtimes: {sum(runtimes):.1f} s")
    print(f"    load average before / after: {burst_cpu.load_before} / {burst_cpu.load_after}")
    print(f"    CPU per grant: {burst_cpu.per_grant(n)} (approving)")
    print(
        f"  drain ({n} grants approved beforehand, then the worker told to read them), "
        f"{DRAINS} times, each right after the raw loop's matching {n} (not granted: "
        f"{drain_failed}):"
    )
    ratios = []
    for i, (_ids, drain_total, drain_cpu, (raw_drain, raw_drain_cpu, raw_drain_moto)) in enumerate(
        drains, 1
    ):
        ratios.append(drain_total / raw_drain)
        print(
            f"    {i}: portal {drain_total:.1f} s, raw {raw_drain:.1f} s, "
            f"ratio {ratios[-1]:.2f}x; load {drain_cpu.load_before} / {drain_cpu.load_after}"
        )
        print(
            f"       CPU per grant: {drain_cpu.per_grant(n)}; raw: boto3 client "
            f"{raw_drain_cpu / n * 1000:.1f} ms, moto {raw_drain_moto / n * 1000:.1f} ms; "
            f"worker CPU / raw client CPU {drain_cpu.used[1] / raw_drain_cpu:.2f}x"
        )
    print(f"  raw boto3, the same grant calls in one loop: {raw:.1f} s (as the burst)")
    print(
        f"    CPU per grant: boto3 client {raw_cpu / n * 1000:.1f} ms, "
        f"moto {raw_moto_cpu / n * 1000:.1f} ms"
    )
    print(
        f"  ratio burst total / raw:                     {total / raw:.2f}x"
        f"  (the approvals' own time: {approving:.1f} s of {total:.1f} s)"
    )
    print(
        f"  ratio drain total / raw, median of {DRAINS}:       {statistics.median(ratios):.2f}x"
        "  (fulfilment alone, as the raw loop: the total ≤ 1.5× target)"
    )
    print(f"  ratio worker task time / raw:                {sum(runtimes) / raw:.2f}x")
    print(f"  ratio worker CPU / raw client CPU (burst):   {burst_cpu.used[1] / raw_cpu:.2f}x")
    print(f"  per grant (in-process, {len(counted)} grants):")
    print(f"    SQL in the approval:   {sorted({a for a, _g, _c in counted})}")
    print(f"    SQL in the grant task: {sorted({g for _a, g, _c in counted})}")
    print(f"    AWS calls in the task: {aws_calls}  e.g. {counted[-1][2]}")
    print(
        f"  reconciliation over {outcome.grants} grants: {reconcile_seconds:.1f} s, "
        f"{outcome.drift.resources_checked} resources, {len(outcome.drift.missing)} missing"
    )
    print(f"  worker log: {log}")


if __name__ == "__main__":
    main()
