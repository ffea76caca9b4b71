"""Shared set-up for benchmark scripts: Django on a throwaway database, moto's server.

Benchmarks print figures; they never assert on timings. They run against the same
PostgreSQL the portal uses (DATABASE_URL, or the embedded server) in a database of their
own that is dropped at the end.
"""

import contextlib
import os
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meshportal.settings")

import django  # noqa: E402

django.setup()


@contextlib.contextmanager
def bench_database(name: str = "bench_meshportal", *, keep: bool = False):
    """Create a fresh, migrated database for the benchmark and drop it afterwards.

    ``keep``: reuse the database a previous run kept (migrating it to the current code)
    and keep it afterwards, so a slow-to-build data set (a million listings) is built
    once and measured again after a change."""
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep, serialize=False)
    try:
        yield
    finally:
        if keep:
            connection.close()
            connection.settings_dict["NAME"] = old_name
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


@contextlib.contextmanager
def moto_server():
    """moto's standalone server in its own process, with boto3 pointed at it."""
    from tests.conftest import MotoServer

    server = MotoServer()
    os.environ.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105 (moto's dummy credentials)
        AWS_DEFAULT_REGION="us-east-1",
    )
    try:
        yield server
    finally:
        server.stop()


def percentile(values, p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lower, upper = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)


def summary(values) -> str:
    return (
        f"mean {statistics.mean(values) * 1000:8.1f} ms  p50 {percentile(values, 50) * 1000:8.1f} ms"
        f"  p95 {percentile(values, 95) * 1000:8.1f} ms  (n={len(values)})"
    )


def bench_project(owner: str = "bench-owner"):
    """The usual set-up of a benchmark: a user, the "bench" domain with an AWS account and
    a DATA_LAKE environment profile, and "Bench Project" in it (the user its OWNER).
    Returns (user, project, profile)."""
    from django.contrib.auth import get_user_model

    from projects import services
    from projects.choices import Blueprint
    from projects.models import AwsAccount, Domain, EnvironmentProfile

    user = get_user_model().objects.create_user(owner)
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
    project = services.project_create(acting_user=user, domain=domain, name="Bench Project")
    return user, project, profile


class PeakRss:
    """This process's resident set size sampled in a thread while the block runs:
    ``before`` is the size on entry, ``peak`` the highest seen."""

    def __init__(self, interval: float = 0.005):
        import psutil

        self.process = psutil.Process()
        self.interval = interval
        self.before = self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self):
        self.before = self.peak = self.process.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
