"""Outbox events fanned out to webhook endpoints by one real Celery worker on Redis.

Three receivers on loopback (http.server in a separate process, keep-alive, answering
200) are registered as endpoints of one project for ``listing.published``. Then:

- burst: N events (default 10,000) recorded in transactions of 100, as fast as they
  commit; each commit fans out (one task) and the per-endpoint drains send. Printed:
  deliveries per second from the first event to the last delivery (the target is ≥ 200/s
  on this machine), and event→delivery latency (occurred_at → delivered_at), whose p95
  in a burst is mostly the time an event waits behind the ones recorded before it.
- paced: events one at a time at a steady rate below capacity (default 20/s for 10 s):
  the event→delivery latency a receiver sees when the worker keeps up.

One worker process (--pool=solo) does the fan-out and all deliveries.

    DATABASE_URL=postgres://… .venv/bin/python bench/events.py [N]
"""

import multiprocessing
import os
import subprocess
import sys
import tempfile
import time

from _harness import REPO, bench_database  # noqa: I001
from grants import start_redis, use_broker

BATCH = 100
PACED_RATE = 20.0
PACED_SECONDS = 10.0


def serve_receivers(count: int, ports, ready) -> None:
    """Run ``count`` receivers (threads) in this process; report their ports."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The status line and headers go out in one write and the body in another: with
        # Nagle on, the body waits for the client's delayed ACK (~40 ms a delivery), a
        # stall of this receiver that a real web server does not have.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    for _ in range(count):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        ports.append(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.set()
    threading.Event().wait()


def start_worker(redis_url: str):
    from django.db import connection

    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    log = tempfile.NamedTemporaryFile(prefix="bench-events-worker-", suffix=".log", delete=False)
    env = dict(
        os.environ,
        DATABASE_URL=url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        LOG_LEVEL="WARNING",  # a log line per delivery would be part of the figure
    )
    process = subprocess.Popen(
        [str(REPO / ".venv/bin/celery"), "-A", "meshportal", "worker", "--pool=solo"]
        + ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"worker exited; see {log.name}")
        if b"ready" in open(log.name, "rb").read() or time.monotonic() > deadline - 110:
            break
        time.sleep(0.5)
    time.sleep(2)
    return process, log.name


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat): the worker's CPU
    per delivery does not depend on how loaded the shared machine is."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def record(project, count: int, offset: int) -> None:
    from django.db import transaction

    from meshportal.events import EventType, event_record

    with transaction.atomic():
        for i in range(count):
            event_record(
                EventType.LISTING_PUBLISHED,
                payload={"listing": {"id": f"bench-{offset + i}", "name": f"Listing {offset + i}"}},
                domain_id=project.domain_id,
                project_ids=[project.pk],
            )


def wait_delivered(expected: int, timeout: float) -> int:
    from webhooks.models import WebhookDelivery

    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        done = WebhookDelivery.objects.filter(status="DELIVERED").count()
        if done >= expected:
            break
        time.sleep(0.25)
    return done


def figures(since_position: int) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*),
                   extract(epoch FROM max(d.delivered_at) - min(e.occurred_at)),
                   extract(epoch FROM max(d.delivered_at) - min(d.delivered_at)),
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(epoch FROM d.delivered_at - e.occurred_at)),
                   percentile_cont(0.95) WITHIN GROUP (
                       ORDER BY extract(epoch FROM d.delivered_at - e.occurred_at)),
                   max(extract(epoch FROM d.delivered_at - e.occurred_at)),
                   max(d.attempts)
            FROM webhooks_webhookdelivery d JOIN meshportal_event e ON e.id = d.event_id
            WHERE d.status = 'DELIVERED' AND e.position > %s
            """,
            [since_position],
        )
        count, span, sending_span, p50, p95, worst, attempts = cursor.fetchone()
    return {
        "count": count,
        "span": float(span or 0),
        "sending_span": float(sending_span or 0),
        "p50": float(p50 or 0),
        "p95": float(p95 or 0),
        "max": float(worst or 0),
        "max_attempts": attempts,
    }


def head() -> int:
    from meshportal.events import events_sequence
    from meshportal.models import Event

    events_sequence(wait=True)
    return Event.objects.order_by("-position").values_list("position", flat=True).first() or 0


def main(n: int) -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL (the worker process must reach the benchmark database).")
    manager = multiprocessing.Manager()
    ports, ready = manager.list(), manager.Event()
    receivers = multiprocessing.Process(target=serve_receivers, args=(3, ports, ready), daemon=True)
    receivers.start()
    ready.wait(30)
    redis, redis_url = start_redis()
    worker = None
    try:
        with bench_database("bench_meshportal_events"):
            from projects.choices import Designation
            from projects.models import Domain, Project, ProjectMembership
            from tests.projects.factories import UserFactory
            from webhooks.endpoint_services import endpoint_create

            owner = UserFactory(username="bench-owner")
            domain = Domain.objects.create(name="bench")
            project = Project.objects.create(domain=domain, name="bench-project")
            ProjectMembership.objects.create(
                project=project, user=owner, designation=Designation.OWNER
            )
            for port in ports:
                endpoint_create(
                    acting_user=owner,
                    url=f"http://127.0.0.1:{port}/hooks",
                    event_types=["listing.published"],
                    project=project,
                )
            use_broker(redis_url, "celery")  # its own Redis: the default queue
            worker, log = start_worker(redis_url)

            # --- burst ---
            start_position = head()
            worker_cpu = cpu_seconds(worker.pid)
            started = time.monotonic()
            for offset in range(0, n, BATCH):
                record(project, min(BATCH, n - offset), offset)
            recorded = time.monotonic() - started
            delivered = wait_delivered(3 * n, timeout=max(600, n / 10))
            worker_cpu = cpu_seconds(worker.pid) - worker_cpu
            burst = figures(start_position)
            print(f"burst: {n:,} events × 3 endpoints, one worker (--pool=solo)")
            print(f"  events recorded in {recorded:.1f} s ({n / recorded:,.0f} events/s)")
            print(
                f"  {delivered:,} deliveries in {burst['span']:.1f} s from the first event: "
                f"{burst['count'] / burst['span']:,.0f} deliveries/s "
                f"({burst['count'] / max(burst['sending_span'], 1e-9):,.0f}/s first→last delivery)"
            )
            print(
                f"  event→delivery latency: p50 {burst['p50']:.2f} s  p95 {burst['p95']:.2f} s"
                f"  max {burst['max']:.2f} s  (queueing behind the burst included)"
                f"  max attempts {burst['max_attempts']}"
            )
            print(
                f"  worker CPU {worker_cpu * 1000 / max(delivered, 1):.2f} ms per delivery"
                f" (fan-out and drains; load average {open('/proc/loadavg').read()[:14]})"
            )

            # --- paced ---
            start_position = head()
            paced = int(PACED_RATE * PACED_SECONDS)
            for i in range(paced):
                tick = time.monotonic()
                record(project, 1, n + i)
                time.sleep(max(0.0, 1 / PACED_RATE - (time.monotonic() - tick)))
            wait_delivered(3 * (n + paced), timeout=120)
            steady = figures(start_position)
            print(f"paced: {paced} events at {PACED_RATE:.0f}/s × 3 endpoints")
            print(
                f"  event→delivery latency: p50 {steady['p50'] * 1000:.0f} ms  "
                f"p95 {steady['p95'] * 1000:.0f} ms  max {steady['max'] * 1000:.0f} ms "
                f"(n={steady['count']})"
            )
            print(f"  load average at the end: {os.getloadavg()[0]:.1f} (shared machine)")
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        redis.terminate()
        receivers.terminate()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
