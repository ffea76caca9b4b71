"""Where a webhook worker's time goes: fan-out and drains run in this process.

N events for 3 endpoints (loopback receivers in another process, keep-alive, answering
200), fanned out and drained by calling the task functions here, on a real database.
Printed: this process's CPU time per delivery (load-independent, unlike wall-clock), SQL
statements per delivery, and with ``--profile`` the top of cProfile's cumulative list.

    DATABASE_URL=postgres://… .venv/bin/python bench/events_profile.py [N] [--profile]
"""

import cProfile
import logging
import multiprocessing
import os
import pstats
import sys
import time
from collections import deque

from _harness import bench_database  # noqa: I001
from events import record, serve_receivers


def main(n: int, profile: bool) -> None:
    logging.disable(logging.INFO)  # as the bench's worker (LOG_LEVEL=WARNING)
    manager = multiprocessing.Manager()
    ports, ready = manager.list(), manager.Event()
    receivers = multiprocessing.Process(target=serve_receivers, args=(3, ports, ready), daemon=True)
    receivers.start()
    ready.wait(30)
    try:
        with bench_database("bench_meshportal_events_profile"):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            from meshportal.events import events_committed, events_sequence
            from projects.choices import Designation
            from projects.models import Domain, Project, ProjectMembership
            from tests.projects.factories import UserFactory
            from webhooks import delivery
            from webhooks.endpoint_services import endpoint_create
            from webhooks.models import WebhookDelivery

            # The fan-out and drains run below, measured, not at each commit.
            events_committed.disconnect(dispatch_uid="webhooks.fan_out")
            events_committed.disconnect(dispatch_uid="webhooks.eventbridge_fan_out")
            owner = UserFactory(username="bench-owner")
            domain = Domain.objects.create(name="bench")
            project = Project.objects.create(domain=domain, name="bench-project")
            ProjectMembership.objects.create(
                project=project, user=owner, designation=Designation.OWNER
            )
            endpoints = [
                endpoint_create(
                    acting_user=owner,
                    url=f"http://127.0.0.1:{port}/hooks",
                    event_types=["listing.published"],
                    project=project,
                )[0].pk
                for port in ports
            ]
            for offset in range(0, n, 100):
                record(project, min(100, n - offset), offset)
            events_sequence(wait=True)

            connection.queries_log = deque(maxlen=1_000_000)  # count every statement
            profiler = cProfile.Profile() if profile else None
            cpu, wall = time.process_time(), time.monotonic()
            with CaptureQueriesContext(connection) as fan_out_queries:
                if profiler:
                    profiler.enable()
                delivery.fan_out_all()
            fan_out_cpu = time.process_time() - cpu
            cpu2 = time.process_time()
            with CaptureQueriesContext(connection) as drain_queries:
                for endpoint_id in endpoints:
                    while delivery.drain(endpoint_id).get("again_at") is not None:
                        pass  # its slice of the worker ran out: go on
                if profiler:
                    profiler.disable()
            drain_cpu = time.process_time() - cpu2
            wall = time.monotonic() - wall
            done = WebhookDelivery.objects.filter(status="DELIVERED").count()
            print(f"{n:,} events × 3 endpoints: {done:,} delivered in {wall:.1f} s wall")
            print(
                f"  fan-out: {fan_out_cpu * 1000 / max(done, 1):.2f} ms CPU/delivery, "
                f"{len(fan_out_queries)} statements"
            )
            print(
                f"  drains:  {drain_cpu * 1000 / max(done, 1):.2f} ms CPU/delivery, "
                f"{len(drain_queries) / max(done, 1):.2f} statements/delivery"
            )
            print(f"  load average {open('/proc/loadavg').read().split()[:3]}")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    finally:
        receivers.terminate()


if __name__ == "__main__":
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL.")
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 1000, "--profile" in sys.argv)
