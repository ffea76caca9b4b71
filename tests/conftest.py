"""Shared fixtures: personas, real services (moto server, Redis, a Celery worker).

Everything external is real and reached over the network as in production: moto's
standalone server over HTTP for AWS, a real Redis, a real Celery worker process, and
PostgreSQL (DATABASE_URL, or the embedded server the settings start).
"""

import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from django.db import connection
from rest_framework.test import APIClient

from meshportal.demo_processes import redis_server_command
from projects.choices import Designation, DomainRole
from tests.projects.factories import (
    PASSWORD,
    AwsAccountFactory,
    DomainFactory,
    EnvironmentProfileFactory,
    UserFactory,
    domain_member,
    owned_project,
    project_member,
)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout} s")


def stop_process(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- AWS: moto's standalone server ------------------------------------------------------


class MotoServer:
    """moto's standalone server in its own process, reached over HTTP like AWS.

    It listens on a port the kernel picks (``-p 0``) and the port is read back from its
    log: several pytest processes (xdist workers, two developers' runs) start servers at
    the same time, and a port chosen beforehand could be taken by another one meanwhile.
    """

    #: The scenario's producer account; moto answers as this account. None: moto keeps
    #: one state per account and switches on assumed-role credentials.
    account_id: str | None = "111111111111"
    name = "moto server"

    def __init__(self):
        env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
        if self.account_id:
            env["MOTO_ACCOUNT_ID"] = self.account_id
        self.log = tempfile.NamedTemporaryFile(prefix="moto-", suffix=".log", delete=False)
        self.process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", "0"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.port = None
        wait_for(self._listening, 60, self.name, self.process)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        wait_for(self._ready, 60, self.name, self.process)

    def _listening(self) -> bool:
        """True once the server logged the address it listens on (and self.port is set)."""
        match = re.search(
            rb"Running on http://127\.0\.0\.1:(\d+)", Path(self.log.name).read_bytes()
        )
        if match:
            self.port = int(match.group(1))
        return match is not None

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def reset(self):
        from meshportal import aws

        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass
        # Answers the portal remembers for a minute (registered locations) are moto's old
        # state now.
        aws.forget_answers()

    def client(self, service: str, region: str = "us-east-1"):
        return boto3.client(service, region_name=region, endpoint_url=self.endpoint)

    def stop(self):
        stop_process(self.process)


@pytest.fixture(scope="session")
def moto_server():
    server = MotoServer()
    saved = {
        k: os.environ.get(k)
        for k in (
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_DEFAULT_REGION",
            "AWS_SESSION_TOKEN",
        )
    }
    os.environ.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S105 (moto's dummy credentials)
        AWS_DEFAULT_REGION="us-east-1",
    )
    os.environ.pop("AWS_SESSION_TOKEN", None)
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def aws(moto_server):
    """A clean moto server for this test (state reset before it runs)."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def environment_bucket(aws):
    """The bucket DATA_LAKE profiles name (`meshportal-environments`), created in moto."""
    aws.client("s3").create_bucket(Bucket="meshportal-environments")
    return "meshportal-environments"


# --- Redis and a real Celery worker ---------------------------------------------------


@pytest.fixture(scope="session")
def redis_url():
    """REDIS_URL when set; otherwise a private redis-server on a free port."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed; `make test` installs it (apt-get install redis-server)."
        )
    workdir = tempfile.mkdtemp(prefix="redis-")
    # redis-server cannot be asked for a port the kernel picks, so the port is chosen here
    # and may be taken by another process (an xdist worker's redis) before this one binds
    # it: the server that answers must be ours (its INFO names its pid), else try again.
    for _attempt in range(5):
        port = free_port()
        process = subprocess.Popen(
            redis_server_command(binary, port, workdir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

        def ours(port=port, process=process):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"INFO server\r\n")
                    answer = b""
                    while b"process_id:" not in answer or not answer.endswith(b"\r\n"):
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        answer += chunk
                    return f"process_id:{process.pid}\r".encode() in answer
            except OSError:
                return False

        try:
            wait_for(ours, 20, "redis-server", process)
            break
        except RuntimeError:
            stop_process(process)
    else:
        raise RuntimeError("redis-server did not start on a free port in 5 attempts")
    yield f"redis://127.0.0.1:{port}/15"
    stop_process(process)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def celery_worker(transactional_db, redis_url, settings, moto_server):
    """A real `celery worker` process on Redis, using this test's database.

    The test process enqueues to the same broker (eager mode off), so a task travels
    through Redis to the worker and its effects land in the database the test reads.
    """
    from tests.workers import enqueue_to, start_worker

    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    # Tasks the worker enqueues itself (a follow-up, a fan-out) go to its queue too.
    process = start_worker(redis_url, queue, CELERY_TASK_DEFAULT_QUEUE=queue)
    try:
        with enqueue_to(redis_url, queue, settings):
            yield process
    finally:
        stop_process(process)
        output = process.log_path.read_text(errors="replace")
        if "Traceback" in output:
            print(output[-4000:])


# --- The test database: migrated once per run, copied for each xdist worker ------------


def _template_name(testrunuid: str) -> str:
    return f"test_meshportal_tpl_{testrunuid[:16]}"


def _advisory_key(name: str) -> int:
    """A stable 63-bit key for pg_advisory_lock, from the template's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


@contextmanager
def _template_lock(connection, template: str):
    """Hold a PostgreSQL advisory lock for this run's template database (on a connection
    to the maintenance database), so that one worker builds it while the others wait."""
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_advisory_key(template)])
        try:
            yield cursor
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_advisory_key(template)])


def _database_exists(cursor, name: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """The test database, migrated once per run and copied for each xdist worker.

    pytest-django's own fixture has every xdist worker create its database and run all
    migrations, each on its own (the same CPU-bound work once per worker). Here the first
    worker migrates a template database for the run (`test_meshportal_tpl_<run id>`)
    under an advisory lock, and every worker then gets its own database as a copy of it
    (CREATE DATABASE … TEMPLATE, a file copy): the same schema, data migrations and cache
    table, as Django's own parallel runner does with clone_test_db. Without xdist, with
    --reuse-db or --nomigrations, this is pytest-django's fixture.
    """
    from django.conf import settings as django_settings
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    workerinput = getattr(request.config, "workerinput", None)
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    if workerinput is None or django_db_keepdb or not django_db_use_migrations:
        if not django_db_use_migrations:
            _disable_migrations()
        keepdb = {"keepdb": True} if django_db_keepdb and not django_db_createdb else {}
        with django_db_blocker.unblock():
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                **keepdb,
            )
        yield
        if not django_db_keepdb:
            with django_db_blocker.unblock():
                teardown_databases(db_cfg, verbosity=verbosity)
        return

    assert set(aliases) <= {"default"}, aliases  # one database: the template covers it
    default = connections["default"]
    original_name = default.settings_dict["NAME"]
    own = default.settings_dict["TEST"]["NAME"]  # with pytest-django's _gwN suffix
    template = _template_name(workerinput["testrunuid"])
    quote = default.ops.quote_name
    with django_db_blocker.unblock():
        with _template_lock(default, template) as cursor:
            if not _database_exists(cursor, template):
                default.settings_dict["TEST"]["NAME"] = template
                try:
                    default.creation.create_test_db(
                        verbosity=verbosity,
                        autoclobber=True,
                        serialize="default" in serialized_aliases,
                    )
                finally:
                    default.settings_dict["TEST"]["NAME"] = own
                    default.close()  # a template must have no sessions to be copied
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(own)}")
            cursor.execute(f"CREATE DATABASE {quote(own)} TEMPLATE {quote(template)}")
        default.close()
        default.settings_dict["NAME"] = own
        django_settings.DATABASES["default"]["NAME"] = own
    yield
    with django_db_blocker.unblock():
        default.close()
        try:
            with _template_lock(default, template) as cursor:
                # The first worker to finish drops the template (every worker copied it
                # at its start; one that starts later builds it again).
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(template)}")
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(own)}")
        except Exception as exc:  # noqa: BLE001 (as pytest-django's own teardown)
            request.node.warn(
                pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
            )
        default.settings_dict["NAME"] = original_name
        django_settings.DATABASES["default"]["NAME"] = original_name


@pytest.fixture(scope="session", autouse=True)
def _botocore_backs_off_in_hundredths():
    """botocore's pauses between retries, a hundredth as long in the test process.

    Its standard retry mode sleeps up to 1, 2, 4, 8, 16 and 20 s (times a random factor)
    between the attempts of a throttled call: about 25 s of sleep for each test that has
    moto's proxy throttle past the retries (the portal allows 7 attempts), tens of seconds
    a run in which the test's worker does nothing. Every attempt is still made, sent
    over HTTP and classified by botocore as in production (the tests count them); only
    the pauses shrink, as tests/sharing/test_lakeformation_faults.py does for the
    portal's own backoff. Worker processes the tests start keep botocore's real pauses.
    """
    from botocore.retries.standard import ExponentialBackoff

    real_delay = ExponentialBackoff.delay_amount

    def delay_amount(self, context):
        return real_delay(self, context) / 100

    ExponentialBackoff.delay_amount = delay_amount
    yield
    ExponentialBackoff.delay_amount = real_delay


@pytest.fixture(scope="session", autouse=True)
def _commits_without_waiting_for_the_disk(django_db_setup, django_db_blocker):
    """The test database commits without waiting for its WAL to reach the disk.

    Transactional tests, live servers and workers commit every write on its own; each
    commit would wait for an fsync (milliseconds, far more on a busy disk). A crash can
    lose only the last commits of a database that is dropped at the end anyway. Set on
    the database, so the connections of live-server threads and worker processes have it.
    """
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit TO off")
        cursor.execute("SET synchronous_commit TO off")
    yield


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete(django_db_setup, django_db_blocker):
    """Empty the tables after a transactional test with DELETE instead of TRUNCATE.

    Django's flush TRUNCATEs every table, which makes PostgreSQL replace the files of each
    table and index: seconds per test on a busy disk, for tables holding a few rows.
    DELETE of those rows, in one transaction, leaves the same empty tables in a fraction
    of that. It relies on every foreign key being DEFERRABLE (Django creates them so):
    the keys are checked at commit, when all rows are gone. A database with another kind
    of foreign key, a flush that resets sequences or cascades keeps the TRUNCATE.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'f' AND NOT c.condeferrable AND n.nspname = current_schema()"
        )
        (immediate_keys,) = cursor.fetchone()
    if immediate_keys:
        yield
        return
    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _empty_cache_after_committed_tests(request, django_db_blocker):
    """Empty the cache after a test whose writes commit (live server, transactional).

    The tests' cache is the database cache table, which the flush leaves alone (it is no
    model's table). allauth counts sign-ins per client address there ("login": 30 a
    minute by default): without this, a worker's browser tests, which all sign in from
    127.0.0.1, are refused with 429 once they run faster than 30 sign-ins a minute.
    Other tests' cache writes roll back with their transaction.
    """
    yield
    marker = request.node.get_closest_marker("django_db")
    committed = marker is not None and marker.kwargs.get("transaction", False)
    if committed or {"live_server", "transactional_db"} & set(request.fixturenames):
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Close what live servers, workers and subprocesses left connected to the test
    database, so pytest-django can drop it at the end instead of leaving it behind."""
    yield
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


# --- Personas ---------------------------------------------------------------------------


@pytest.fixture
def domain(db):
    return DomainFactory(name="streaming")


@pytest.fixture
def aws_account(domain):
    return AwsAccountFactory(domain=domain, account_id="111111111111", region="us-east-1")


@pytest.fixture
def profile(domain, aws_account):
    """`DataLakeProfile`, with the factory's parameters (s3_bucket meshportal-environments)."""
    return EnvironmentProfileFactory(domain=domain, aws_account=aws_account, name="DataLakeProfile")


@pytest.fixture
def project(domain, owner):
    """`Film Catalog Project`, with one member of each designation."""
    return owned_project(domain, "Film Catalog Project", owner)


@pytest.fixture
def media(project):
    """The project's "Media" glossary."""
    from tests.glossary.factories import GlossaryFactory

    return GlossaryFactory(owning_project=project, name="Media")


@pytest.fixture
def platform_admin(db):
    return UserFactory(username="platform-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def steward(domain):
    return domain_member(domain, "domain-steward", DomainRole.STEWARD)


@pytest.fixture
def owner(db):
    return UserFactory(username="film-catalog-team-admin")


@pytest.fixture
def contributor(project):
    return project_member(project, "film-contributor", Designation.CONTRIBUTOR)


@pytest.fixture
def viewer(project):
    return project_member(project, "film-viewer", Designation.VIEWER)


@pytest.fixture
def outsider(db):
    return UserFactory(username="marketing-team-admin")


# The consumer side of subscriptions and sharing (scenario steps 8, 9 and 12): the
# marketing team's project that asks for the film team's listing.
REASON = "Need access to the movie listings with category table for a new marketing project"


@pytest.fixture
def consumer(db):
    """OWNER of the subscriber project."""
    return UserFactory(username="marketing-owner")


@pytest.fixture
def consumer_project(domain, consumer):
    return owned_project(domain, "marketing-team-analysis", consumer)


@pytest.fixture
def consumer_contributor(consumer_project):
    return project_member(consumer_project, "marketing-contributor", Designation.CONTRIBUTOR)


@pytest.fixture
def consumer_viewer(consumer_project):
    return project_member(consumer_project, "marketing-viewer", Designation.VIEWER)


PERSONAS = ["platform_admin", "steward", "owner", "contributor", "viewer", "outsider", "anonymous"]


@pytest.fixture
def persona(request, project):
    """Resolve a persona name (parametrised) to its user, or None for anonymous."""
    name = request.param
    if name == "anonymous":
        return None
    return request.getfixturevalue(name)


def _clients(new, sign_in):
    """``make(user)``: a new client signed in as the user (anonymous for None)."""

    def make(user):
        c = new()
        if user is not None:
            sign_in(c, user)
        return c

    return make


@pytest.fixture
def client_for(client):
    """A page client logged in as the user (anonymous for None)."""
    from django.test import Client

    return _clients(Client, Client.force_login)


@pytest.fixture
def api_client_for():
    """An API client authenticated as the user (anonymous for None)."""
    return _clients(APIClient, APIClient.force_authenticate)


@pytest.fixture
def password():
    return PASSWORD
