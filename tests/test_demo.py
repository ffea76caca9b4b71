"""The demo: seeding the film-catalog scenario (AWS side in moto, portal side in the
database), the seed_demo command, and a real `manage.py demo` run in a subprocess."""

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode, urlparse

import boto3
import environ
import psutil
import pytest
import requests
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from meshportal import demo
from projects import services
from projects.choices import Blueprint, EnvironmentStatus
from projects.models import AwsAccount, Domain, DomainMembership, EnvironmentProfile, Project
from tests.conftest import REPO, free_port
from tests.sharing.conftest import (  # noqa: F401 (fixtures: moto with one state per account)
    multi_account_moto_server,
    table_permissions,
    two_accounts,
)

User = get_user_model()

SCENARIO_TABLES = {
    "streaming_films": {
        "columns": [
            ("film_id", "bigint"),
            ("title", "string"),
            ("release_year", "int"),
            ("rating", "string"),
            ("stream_count", "bigint"),
        ],
        "partition_keys": [],
    },
    "film_category": {
        "columns": [
            ("category_id", "bigint"),
            ("name", "string"),
            ("film_id", "bigint"),
            ("special_features", "array<string>"),
        ],
        "partition_keys": [],
    },
    "category_streams": {
        "columns": [("category_name", "string"), ("streams", "bigint")],
        "partition_keys": [("stream_date", "date")],
    },
}


@pytest.fixture
def demo_env(monkeypatch, tmp_path):
    """DEMO_PASSWORD unset and the demo's files in a scratch folder, not the repo's .data/."""
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    monkeypatch.setenv("DEMO_DATA_DIR", str(tmp_path))
    return tmp_path


def counts(aws) -> dict:
    glue, s3 = aws.client("glue"), aws.client("s3")
    return {
        "domains": Domain.objects.count(),
        "accounts": AwsAccount.objects.count(),
        "profiles": EnvironmentProfile.objects.count(),
        "users": User.objects.count(),
        "projects": Project.objects.count(),
        "glue_databases": len(glue.get_databases()["DatabaseList"]),
        "glue_tables": len(glue.get_tables(DatabaseName="curatedzonedb")["TableList"]),
        "lf_resources": len(aws.client("lakeformation").list_resources()["ResourceInfoList"]),
        "buckets": len(s3.list_buckets()["Buckets"]),
        "objects": s3.list_objects_v2(Bucket="streaming-curated-zone")["KeyCount"],
    }


# --- AWS side -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_glue_tables_are_the_scenarios(aws, demo_env):
    demo.seed()

    glue = aws.client("glue")
    database = glue.get_database(Name="curatedzonedb")["Database"]
    assert database["LocationUri"] == "s3://streaming-curated-zone/curated/"
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="curatedzonedb")["TableList"]}
    assert set(tables) == set(SCENARIO_TABLES)
    for name, expected in SCENARIO_TABLES.items():
        table = tables[name]
        descriptor = table["StorageDescriptor"]
        assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == expected["columns"]
        assert [(c["Name"], c["Type"]) for c in table.get("PartitionKeys", [])] == expected[
            "partition_keys"
        ]
        assert descriptor["Location"] == f"s3://streaming-curated-zone/curated/{name}/"
        assert descriptor["InputFormat"] == (
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
        )
        assert descriptor["OutputFormat"] == (
            "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
        )
        assert descriptor["SerdeInfo"]["SerializationLibrary"] == (
            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
        )
        assert table["TableType"] == "EXTERNAL_TABLE"
        assert table["Parameters"]["classification"] == "parquet"


@pytest.mark.django_db
def test_lake_formation_manages_films_and_categories_but_not_category_streams(aws, demo_env):
    demo.seed()

    resources = aws.client("lakeformation").list_resources()["ResourceInfoList"]
    assert sorted(r["ResourceArn"] for r in resources) == [
        "arn:aws:s3:::streaming-curated-zone/curated/film_category",
        "arn:aws:s3:::streaming-curated-zone/curated/streaming_films",
    ]


@pytest.mark.django_db
def test_parquet_files_sit_under_each_tables_location_and_environment_bucket_exists(aws, demo_env):
    demo.seed()

    s3 = aws.client("s3")
    for name in SCENARIO_TABLES:
        listed = s3.list_objects_v2(Bucket="streaming-curated-zone", Prefix=f"curated/{name}/")
        keys = [o["Key"] for o in listed.get("Contents", [])]
        assert keys and all(key.endswith(".parquet") for key in keys), keys
        body = s3.get_object(Bucket="streaming-curated-zone", Key=keys[0])["Body"].read()
        assert body.startswith(b"PAR1") and body.endswith(b"PAR1")
    partitioned = s3.list_objects_v2(
        Bucket="streaming-curated-zone", Prefix="curated/category_streams/stream_date="
    )
    assert partitioned["KeyCount"] == 1
    s3.head_bucket(Bucket="meshportal-environments")
    assert aws.client("sts").get_caller_identity()["Account"] == "111111111111"


# --- Portal side --------------------------------------------------------------------------


@pytest.mark.django_db
def test_portal_frame_and_users_exist_but_no_projects(two_accounts, demo_env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    report, password = demo.seed()

    assert report.notes == []
    domain = Domain.objects.get(name="streaming")
    account = AwsAccount.objects.get(domain=domain, account_id="111111111111")
    assert (account.region, account.role_arn) == (
        "us-east-1",
        "arn:aws:iam::111111111111:role/MeshPortalAccess",
    )
    marketing = AwsAccount.objects.get(domain=domain, account_id="222222222222")
    assert marketing.role_arn == "arn:aws:iam::222222222222:role/MeshPortalAccess"
    marketing_profile = EnvironmentProfile.objects.get(domain=domain, name="MarketingLakeProfile")
    assert marketing_profile.blueprint == Blueprint.DATA_LAKE
    assert marketing_profile.aws_account == marketing
    assert marketing_profile.parameters == {"s3_bucket": "meshportal-environments-marketing"}
    marketing_profile.full_clean()
    profile = EnvironmentProfile.objects.get(domain=domain, name="DataLakeProfile")
    assert profile.blueprint == Blueprint.DATA_LAKE
    assert profile.region == "us-east-1"
    assert profile.aws_account == account
    assert profile.parameters == {"s3_bucket": "meshportal-environments"}
    profile.full_clean()

    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    for username in ("film-catalog-team-admin", "marketing-team-admin"):
        user = User.objects.get(username=username)
        assert not user.is_staff and not user.is_superuser
    # The platform admin owns the domain (issue 10: someone can name its stewards in the
    # portal); the walk's people make the projects.
    assert list(DomainMembership.objects.values_list("user__username", "role")) == [
        ("admin", "OWNER")
    ]
    assert not Project.objects.exists()
    assert password.value == "demo-pass-123" and password.explicit


@pytest.mark.django_db
def test_demo_password_lets_each_user_sign_in(aws, demo_env, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    demo.seed()

    for username, _, _ in demo.DEMO_USERS:
        assert authenticate(username=username, password="demo-pass-123") is not None, username
    assert authenticate(username="admin", password="something-else") is None


@pytest.mark.django_db
def test_seeding_twice_creates_nothing_and_keeps_changes(aws, demo_env):
    first, password = demo.seed()
    assert first.created
    before = counts(aws)
    person = User.objects.get(username="film-catalog-team-admin")
    person.email = "films@corp.example"
    person.set_password("my-own-password")
    person.save()
    EnvironmentProfile.objects.filter(name="DataLakeProfile").update(description="Edited")

    second, again = demo.seed()

    assert second.created == []
    assert len(second.existing) == len(first.created)
    assert counts(aws) == before
    assert again.value == password.value  # the generated password was kept in the file
    person.refresh_from_db()
    assert person.email == "films@corp.example"
    assert person.check_password("my-own-password")
    assert second.kept_passwords == ["film-catalog-team-admin"]
    assert EnvironmentProfile.objects.get(name="DataLakeProfile").description == "Edited"


@pytest.mark.django_db
def test_generated_password_is_stored_and_reused(aws, demo_env):
    _, first = demo.seed()

    stored = (demo_env / "demo-password").read_text().strip()
    assert stored == first.value and not first.explicit
    assert authenticate(username="marketing-team-admin", password=stored) is not None
    _, second = demo.seed()
    assert second.value == stored


@pytest.mark.django_db
def test_explicit_demo_password_resets_existing_users(aws, demo_env, monkeypatch):
    demo.seed()
    monkeypatch.setenv("DEMO_PASSWORD", "a-new-demo-password")

    report, _ = demo.seed()

    assert report.created == []
    for username, _, _ in demo.DEMO_USERS:
        assert authenticate(username=username, password="a-new-demo-password") is not None


@pytest.mark.django_db(transaction=True)
def test_seeded_profile_provisions_an_environment(aws, demo_env):
    """The walk's step 3 works on the seeded frame: the profile's bucket exists."""
    demo.seed()
    owner = User.objects.get(username="film-catalog-team-admin")
    project = services.project_create(
        acting_user=owner, domain=Domain.objects.get(name="streaming"), name="Film Catalog Project"
    )

    environment = services.environment_create(
        acting_user=owner,
        project=project,
        profile=EnvironmentProfile.objects.get(name="DataLakeProfile"),
        name="Film Datasets S3",
    )

    environment.refresh_from_db()
    assert environment.status == EnvironmentStatus.ACTIVE, environment.last_error
    assert environment.s3_location.startswith("s3://meshportal-environments/")


# --- Two accounts (moto without MOTO_ACCOUNT_ID, as `manage.py demo` runs it) -------------


@pytest.mark.django_db
def test_seed_lands_in_each_account_through_its_role(two_accounts, demo_env):  # noqa: F811
    report, _ = demo.seed()

    assert report.notes == []
    glue = two_accounts.client_in("111111111111", "glue")
    assert glue.get_database(Name="curatedzonedb")["Database"]["CatalogId"] == "111111111111"
    assert {t["Name"] for t in glue.get_tables(DatabaseName="curatedzonedb")["TableList"]} == set(
        SCENARIO_TABLES
    )
    resources = two_accounts.client_in("111111111111", "lakeformation").list_resources()
    assert len(resources["ResourceInfoList"]) == 2
    # Nothing landed in moto's default account (the portal's own credentials) nor in
    # marketing's, apart from marketing's environment bucket.
    default_glue = two_accounts.client("glue")
    assert default_glue.get_databases()["DatabaseList"] == []
    assert two_accounts.client_in("222222222222", "glue").get_databases()["DatabaseList"] == []
    two_accounts.client_in("222222222222", "s3").head_bucket(
        Bucket="meshportal-environments-marketing"
    )


def project_with_lake(admin, domain, name: str, profile_name: str, environment_name: str):
    """A project ``admin`` creates in the seeded domain, with an environment from one of
    the seeded profiles, provisioned (tasks run eagerly here)."""
    project = services.project_create(acting_user=admin, domain=domain, name=name)
    lake = services.environment_create(
        acting_user=admin,
        project=project,
        profile=EnvironmentProfile.objects.get(name=profile_name),
        name=environment_name,
    )
    lake.refresh_from_db()
    assert lake.status == EnvironmentStatus.ACTIVE, lake.last_error
    return project, lake


@pytest.mark.django_db(transaction=True)
def test_demo_walk_grants_marketing_across_accounts(two_accounts, demo_env):  # noqa: F811
    """Steps 3-11 of the walk on the seeded frame, through the services: the film team
    imports and publishes streaming_films from 111111111111, marketing's environment is
    provisioned from MarketingLakeProfile in 222222222222, and approving the request
    shares the table across accounts, read back in each account."""
    from catalog.models import Asset
    from catalog.services import data_source_run_start
    from catalog.services.listings import asset_publish
    from sharing.choices import GrantStatus
    from sharing.models import SubscriptionGrant
    from subscriptions.services import subscription_request_accept, subscription_request_create
    from tests.catalog.factories import create_glue_source

    demo.seed()
    domain = Domain.objects.get(name="streaming")
    film_admin = User.objects.get(username="film-catalog-team-admin")
    marketing_admin = User.objects.get(username="marketing-team-admin")
    film, film_lake = project_with_lake(
        film_admin, domain, "Film Catalog Project", "DataLakeProfile", "Film Datasets S3"
    )
    source = create_glue_source(film_admin, film, film_lake)
    data_source_run_start(acting_user=film_admin, data_source=source)
    asset = Asset.objects.get(data_source=source, technical_name="streaming_films")
    listing = asset_publish(acting_user=film_admin, asset=asset, approval_required=True)

    marketing, marketing_lake = project_with_lake(
        marketing_admin, domain, "Marketing Project", "MarketingLakeProfile", "Marketing Lake"
    )
    assert marketing_lake.grant_role_arn.startswith("arn:aws:iam::222222222222:role/")

    request, _ = subscription_request_create(
        acting_user=marketing_admin, listing=listing, project=marketing, reason="Campaigns"
    )
    subscription = subscription_request_accept(acting_user=film_admin, request=request)

    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.GRANTED, grant.failure_cause
    assert grant.target["mode"] == "CROSS_ACCOUNT"
    producer_lf = two_accounts.client_in("111111111111", "lakeformation")
    consumer_lf = two_accounts.client_in("222222222222", "lakeformation")
    shared = ("111111111111", "curatedzonedb", "streaming_films")
    assert table_permissions(producer_lf, *shared) == {
        "222222222222": (["DESCRIBE", "SELECT"], ["DESCRIBE", "SELECT"])
    }
    assert table_permissions(consumer_lf, *shared) == {
        marketing_lake.grant_role_arn: (["SELECT"], [])
    }
    link = grant.target["resource_link"]
    found = two_accounts.client_in("222222222222", "glue").get_table(
        DatabaseName=link["database"], Name=link["name"]
    )["Table"]
    assert found["TargetTable"]["CatalogId"] == "111111111111"


# --- seed_demo command --------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_command_reports_what_it_created_then_nothing(
    two_accounts,  # noqa: F811
    demo_env,
    monkeypatch,
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "created Glue table curatedzonedb.film_category" in out.getvalue()
    assert "created environment profile MarketingLakeProfile" in out.getvalue()
    assert "created user marketing-team-admin" in out.getvalue()
    assert "password: demo-pass-123" in out.getvalue()

    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "created" not in out.getvalue()
    assert "21 object(s) were already there" in out.getvalue()
    assert "note:" not in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_real_aws_but_can_seed_the_portal_only(demo_env, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(CommandError, match="AWS_ENDPOINT_URL is not set"):
        call_command("seed_demo", stdout=StringIO())
    assert not Domain.objects.exists()

    call_command("seed_demo", "--skip-aws", stdout=StringIO())
    assert Domain.objects.filter(name="streaming").exists()
    assert User.objects.filter(username="admin", is_staff=True).exists()


# --- manage.py demo, for real -----------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database this test uses (the test database).

    The embedded server listens on a Unix socket whose folder is the HOST; django-environ
    passes a ``?host=`` query parameter through OPTIONS to psycopg2, which accepts a
    socket folder as host.
    """
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    options = settings_dict.get("OPTIONS") or {}
    host = settings_dict.get("HOST") or options.get("host", "")
    port = str(settings_dict.get("PORT") or options.get("port") or "")
    name = settings_dict["NAME"]
    if host.startswith("/"):
        query = {"host": host, **({"port": port} if port else {})}
        url = f"postgres://{auth}/{name}?{urlencode(query)}"
    else:
        url = f"postgres://{auth}{host}{':' + port if port else ''}/{name}"
    parsed = environ.Env.db_url_config(url)
    assert parsed["NAME"] == name
    assert (parsed["HOST"] or parsed.get("OPTIONS", {}).get("host")) == host
    return url


def default_sigint():
    """In the demo's process: Ctrl-C (SIGINT) stops it, as in a terminal. A test run started
    in the background (`make test &`) ignores SIGINT, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until(predicate, *, timeout: float, what: str, process, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what}: the demo exited ({process.returncode}):\n{log.read_text()}")
        if predicate():
            return
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen within {timeout} s:\n{log.read_text()}")


def healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def demo_env_for_subprocess(tmp_path, port, moto_port, **extra) -> dict:
    """The environment of a real `manage.py demo` on this test's database and ports."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "AWS_ENDPOINT_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "CELERY_TASK_ALWAYS_EAGER",
            "TEST_WORKER_DATABASE_NAME",
            "SECRET_KEY",
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="meshportal.settings",
        DEBUG="true",
        PORT=str(port),
        DEMO_MOTO_PORT=str(moto_port),
        DEMO_PASSWORD="demo-pass-123",
        DEMO_DATA_DIR=str(tmp_path),
        DATABASE_URL=database_url(connection.settings_dict),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


@contextmanager
def running_demo(tmp_path, port, env):
    """``manage.py demo`` in a session of its own, once its /healthz answers: yields the
    process, the portal's URL and the log file. A test that ends without stopping it
    (a failed assertion) kills it and everything it started."""
    log = tmp_path / "demo.log"
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "demo"],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=default_sigint,
        )
    try:
        wait_until(lambda: healthy(url), timeout=120, what="/healthz", process=process, log=log)
        yield process, url, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.django_db(transaction=True)
def test_demo_command_starts_moto_seeds_serves_and_cleans_up(tmp_path):
    port, moto_port = free_port(), free_port()
    # Only the virtualenv on PATH: no redis-server, so the demo falls back to eager tasks.
    env = demo_env_for_subprocess(tmp_path, port, moto_port, PATH=str(Path(sys.executable).parent))
    with running_demo(tmp_path, port, env) as (process, url, log):
        output = log.read_text()
        moto_pid = int(re.search(r"started moto server \(pid (\d+)\)", output).group(1))
        moto = psutil.Process(moto_pid)
        assert moto.ppid() == process.pid
        assert any("moto_server" in part for part in moto.cmdline())
        assert f"http://127.0.0.1:{moto_port}" in output
        for line in (
            f"Portal     {url}/",
            f"Admin      {url}/admin/",
            f"API docs   {url}/api/docs/",
            "film-catalog-team-admin",
            "marketing-team-admin",
            "Password   demo-pass-123",
            "Background work runs in-process",
            "redis-server is not installed",
            "moto keeps AWS state in memory",
        ):
            assert line in output, line
        # moto runs without MOTO_ACCOUNT_ID: the seed landed in 111111111111 through the
        # account's role, not in moto's default account.
        assert "MOTO_ACCOUNT_ID" not in moto.environ()
        endpoint = f"http://127.0.0.1:{moto_port}"
        glue = producer_glue(endpoint, "demo-test")
        assert {t["Name"] for t in glue.get_tables(DatabaseName="curatedzonedb")["TableList"]} == (
            set(SCENARIO_TABLES)
        )

        # Sign in through the real form, as a person would.
        browser = requests.Session()
        form = browser.get(f"{url}/accounts/login/", timeout=10)
        assert form.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        home = browser.post(
            f"{url}/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "login": "film-catalog-team-admin",
                "password": "demo-pass-123",
            },
            headers={"Referer": f"{url}/accounts/login/"},
            timeout=10,
        )
        assert home.status_code == 200
        assert urlparse(home.url).path == "/"
        assert "film-catalog-team-admin" in home.text
        assert 'name="password"' not in home.text  # not the sign-in page again
        # Without a worker every page says that schedules do not fire.
        assert 'data-testid="background-inline"' in home.text

        process.send_signal(signal.SIGINT)
        # Patient: on a loaded machine (parallel test workers) stopping takes a while.
        assert process.wait(timeout=120) == 0
        assert not psutil.pid_exists(moto_pid)
        assert f"moto server (pid {moto_pid}) stopped." in log.read_text()
        assert not healthy(url)


def producer_glue(moto_endpoint: str, session_name: str):
    """Glue in the producer account (111111111111), reached through its role as the portal
    does: the demo's moto switches accounts on assumed-role credentials."""
    credentials = boto3.client(
        "sts",
        region_name="us-east-1",
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).assume_role(
        RoleArn="arn:aws:iam::111111111111:role/MeshPortalAccess", RoleSessionName=session_name
    )["Credentials"]
    return boto3.client(
        "glue",
        region_name="us-east-1",
        endpoint_url=moto_endpoint,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def add_glue_tables(moto_endpoint: str, count: int) -> None:
    """More tables in the scenario's Glue database, so that an import takes several batches."""
    glue = producer_glue(moto_endpoint, "test")
    for number in range(count):
        glue.create_table(
            DatabaseName="curatedzonedb",
            TableInput={
                "Name": f"extra_table_{number:05d}",
                "StorageDescriptor": {
                    "Columns": [
                        {"Name": "id", "Type": "bigint"},
                        {"Name": "note", "Type": "string"},
                    ],
                    "Location": f"s3://streaming-curated-zone/extra/{number}/",
                },
            },
        )


@pytest.mark.django_db(transaction=True)
def test_demo_runs_a_worker_and_beat_so_schedules_fire_and_progress_moves(tmp_path):
    """With redis-server at hand, `manage.py demo` starts a private Redis, a worker and beat.

    A data source whose schedule is due is started by the demo's beat and imported by the
    demo's worker (this test process only writes rows and reads them back), and the run's
    processed count is seen between 0 and the total while it runs.
    """
    from django.utils import timezone

    from catalog.choices import RunStatus, RunType
    from catalog.models import DataSource, DataSourceRun
    from projects.choices import Designation
    from tests.catalog.factories import create_glue_source
    from tests.projects.factories import (
        EnvironmentFactory,
        ProjectFactory,
        ProjectMembershipFactory,
    )

    port, moto_port = free_port(), free_port()
    # Small batches show progress between 0 and the total as the default's 500 would, on
    # an eighth of the tables (each one a Glue call to set up). Thirty batches of 5, not
    # three of 50: on a quiet machine three batches commit within one poll of ours.
    batch_size = 5
    env = demo_env_for_subprocess(
        tmp_path,
        port,
        moto_port,
        SCHEDULED_RUNS_POLL_SECONDS="1",
        DATA_SOURCE_IMPORT_BATCH_SIZE=str(batch_size),
    )
    with running_demo(tmp_path, port, env) as (process, url, log):
        output = log.read_text()
        assert "Background Celery worker and beat on redis://127.0.0.1:" in output
        assert requests.get(f"{url}/healthz", timeout=5).json()["checks"]["broker"]["mode"] == (
            "broker"
        )
        pids = {
            name: int(re.search(rf"{name}: started \(pid (\d+)\)", output).group(1))
            for name in ("Celery worker", "Celery beat")
        }
        redis_pid = int(re.search(r"started redis-server \(pid (\d+)\)", output).group(1))
        for pid in (*pids.values(), redis_pid):
            assert psutil.Process(pid).ppid() == process.pid

        table_count = 30 * batch_size
        add_glue_tables(f"http://127.0.0.1:{moto_port}", table_count - 3)

        owner = User.objects.get(username="film-catalog-team-admin")
        domain = Domain.objects.get()
        project = ProjectFactory(domain=domain, name="Scheduled import project")
        ProjectMembershipFactory(project=project, user=owner, designation=Designation.OWNER)
        environment = EnvironmentFactory(
            project=project,
            profile=EnvironmentProfile.objects.get(name="DataLakeProfile"),
            name="Film Datasets S3",
        )
        source = create_glue_source(owner, project, environment, schedule="*/5 * * * *")
        # Due now: the demo's beat (polling every second here) claims it.
        DataSource.objects.filter(pk=source.pk).update(next_run_at=timezone.now())

        seen: list[tuple[str, int, int | None]] = []
        deadline = time.monotonic() + 240
        run = None
        while time.monotonic() < deadline:
            run = DataSourceRun.objects.filter(data_source=source).first()
            if run is not None:
                seen.append((run.status, run.processed, run.total))
                if not run.is_active:
                    break
            if process.poll() is not None:
                pytest.fail(f"the demo exited:\n{log.read_text()}")
            time.sleep(0.01)
        assert run is not None, f"beat never started the scheduled run:\n{log.read_text()}"
        assert run.type == RunType.SCHEDULED
        assert run.status == RunStatus.SUCCESS, run.error_message
        assert (run.total, run.processed, run.added) == (table_count, table_count, table_count)
        in_flight = {processed for status, processed, _ in seen if status == RunStatus.RUNNING}
        assert any(0 < processed < table_count for processed in in_flight), seen[-20:]
        # The run is SUCCESS once its last write commits; the worker logs the task's end
        # a moment later (and later still on a loaded machine).
        succeeded = re.compile(r"catalog\.tasks\.run_data_source\[[\w-]+\] succeeded")
        deadline = time.monotonic() + 60
        worker_log = (tmp_path / "celery-worker.log").read_text()
        while not succeeded.search(worker_log) and time.monotonic() < deadline:
            time.sleep(0.2)
            worker_log = (tmp_path / "celery-worker.log").read_text()
        assert succeeded.search(worker_log), worker_log[-2000:]
        beat_log = (tmp_path / "celery-beat.log").read_text()
        assert "catalog.tasks.start_scheduled_runs" in beat_log

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=120) == 0
        for pid in (*pids.values(), redis_pid):
            assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
        assert "Celery worker (pid" in log.read_text()
