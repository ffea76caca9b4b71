"""Seeding of the reference scenario (SCENARIO.md): the film catalog of a streaming company.

Two halves, both idempotent so that `manage.py demo` can run them at every start:

- the AWS side (``seed_aws``): what exists in the producer account before anyone uses the
  portal — the curated-zone bucket with Parquet files, the Glue database
  ``curatedzonedb`` with its three tables, two of them registered with Lake Formation,
  and the bucket environments are provisioned into. It goes through boto3 to whatever
  ``AWS_ENDPOINT_URL`` names (moto in the demo), so it exercises the same HTTP path as
  production.
- the portal side (``seed_portal``): what a platform admin sets up first — domain, the
  film team's account with its DataLakeProfile, marketing's account 222222222222 with
  MarketingLakeProfile (so marketing can pick a cross-account environment) — and the
  three local users of the walk.

Every AwsAccount names a role in its own account (``role_arn_of``): the portal assumes it,
and moto's server, run without MOTO_ACCOUNT_ID, then answers as that account, so the
seeded Glue database and Lake Formation registrations land in 111111111111 and a grant to
marketing's environment is a real cross-account grant. The projects are
  deliberately not created: making them is the first thing the scenario's people do.

Every step looks before it creates, so a second run changes nothing and says so; data a
person changed (a user's email, a profile's description) is never overwritten.
"""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import ClientError
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from meshportal import aws
from projects.choices import Blueprint, DomainRole
from projects.models import AwsAccount, Domain, DomainMembership, EnvironmentProfile

ACCOUNT_ID = "111111111111"
MARKETING_ACCOUNT_ID = "222222222222"
REGION = "us-east-1"
CURATED_BUCKET = "streaming-curated-zone"
ENVIRONMENT_BUCKET = "meshportal-environments"
# S3 bucket names are global: marketing's account provisions into a bucket of its own.
MARKETING_ENVIRONMENT_BUCKET = "meshportal-environments-marketing"
GLUE_DATABASE = "curatedzonedb"
DOMAIN_NAME = "streaming"
PROFILE_NAME = "DataLakeProfile"
MARKETING_PROFILE_NAME = "MarketingLakeProfile"
ROLE_NAME = "MeshPortalAccess"


def role_arn_of(account_id: str) -> str:
    """The role the portal assumes in an account of the demo (in that account)."""
    return f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"


@dataclass(frozen=True)
class _Account:
    """What ``aws.client`` reads from an AwsAccount, before the portal's rows exist."""

    account_id: str
    region: str = REGION

    @property
    def role_arn(self) -> str:
        return role_arn_of(self.account_id)


PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


@dataclass(frozen=True)
class DemoTable:
    """A table of ``curatedzonedb``: data columns, partition keys, and whether Lake
    Formation manages its S3 location (managed tables are granted automatically)."""

    name: str
    columns: tuple[tuple[str, str], ...]
    partition_keys: tuple[tuple[str, str], ...] = ()
    managed: bool = False

    @property
    def location(self) -> str:
        return f"s3://{CURATED_BUCKET}/curated/{self.name}/"

    @property
    def resource_arn(self) -> str:
        """The S3 path Lake Formation registers (ARN form, no trailing slash)."""
        return f"arn:aws:s3:::{CURATED_BUCKET}/curated/{self.name}"


TABLES = (
    DemoTable(
        name="streaming_films",
        columns=(
            ("film_id", "bigint"),
            ("title", "string"),
            ("release_year", "int"),
            ("rating", "string"),
            ("stream_count", "bigint"),
        ),
        managed=True,
    ),
    DemoTable(
        name="film_category",
        columns=(
            ("category_id", "bigint"),
            ("name", "string"),
            ("film_id", "bigint"),
            ("special_features", "array<string>"),
        ),
        managed=True,
    ),
    DemoTable(
        name="category_streams",
        columns=(("category_name", "string"), ("streams", "bigint")),
        partition_keys=(("stream_date", "date"),),
        managed=False,
    ),
)

DEMO_USERS = (
    # username, email, platform admin
    ("admin", "admin@streaming.example", True),
    ("film-catalog-team-admin", "film-catalog-team-admin@streaming.example", False),
    ("marketing-team-admin", "marketing-team-admin@streaming.example", False),
)

# A few bytes that start and end like a Parquet file ("PAR1" magic); the demo only lists
# and describes these tables, it never reads their rows.
PLACEHOLDER_PARQUET = b"PAR1" + b"\x00" * 8 + b"PAR1"


@dataclass
class SeedReport:
    """What a seeding run did: one line per object, created or already there."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Users that existed with a password other than the demo password (left alone).
    kept_passwords: list[str] = field(default_factory=list)

    def add(self, what: str, created: bool) -> None:
        (self.created if created else self.existing).append(what)

    def extend(self, other: "SeedReport") -> None:
        self.created += other.created
        self.existing += other.existing
        self.notes += other.notes
        self.kept_passwords += other.kept_passwords


@dataclass(frozen=True)
class DemoPassword:
    """The demo users' password and where it came from.

    ``explicit`` (DEMO_PASSWORD set) is the only case in which existing users' passwords
    are changed: a generated password never overwrites one a person may have chosen.
    """

    value: str
    explicit: bool
    source: str


def default_data_dir() -> Path:
    """Where the demo keeps its files (generated password, moto's log).

    DEMO_DATA_DIR lets tests use a scratch folder instead of the developer's `.data/`.
    """
    return Path(os.environ.get("DEMO_DATA_DIR") or settings.BASE_DIR / ".data")


def demo_password(*, password_file: Path | None = None) -> DemoPassword:
    """DEMO_PASSWORD when set; else the password generated on an earlier run; else a new
    one, stored in ``password_file`` so that every later run prints the same."""
    explicit = os.environ.get("DEMO_PASSWORD", "")
    if explicit:
        return DemoPassword(explicit, explicit=True, source="DEMO_PASSWORD")
    password_file = password_file or default_data_dir() / "demo-password"
    if password_file.is_file():
        stored = password_file.read_text().strip()
        if stored:
            return DemoPassword(stored, explicit=False, source=str(password_file))
    generated = "demo-" + secrets.token_urlsafe(12)
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text(generated + "\n")
    password_file.chmod(0o600)
    return DemoPassword(generated, explicit=False, source=f"generated, saved in {password_file}")


# --- AWS ------------------------------------------------------------------------------------


def _not_found(error: ClientError) -> bool:
    return aws.error_code(error) in {
        "EntityNotFoundException",
        "NoSuchBucket",
        "NoSuchKey",
        "NotFound",
        "404",
    }


def _ensure_bucket(s3, bucket: str, report: SeedReport) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
        report.add(f"S3 bucket {bucket}", created=False)
    except ClientError as error:
        if not _not_found(error):
            raise
        s3.create_bucket(Bucket=bucket)  # us-east-1 takes no LocationConstraint
        report.add(f"S3 bucket {bucket}", created=True)


def _ensure_object(s3, bucket: str, key: str, body: bytes, report: SeedReport) -> None:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        report.add(f"s3://{bucket}/{key}", created=False)
    except ClientError as error:
        if not _not_found(error):
            raise
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        report.add(f"s3://{bucket}/{key}", created=True)


def _object_key(table: DemoTable) -> str:
    if table.partition_keys:
        partition = "/".join(f"{name}=2024-06-01" for name, _ in table.partition_keys)
        return f"curated/{table.name}/{partition}/part-00000.snappy.parquet"
    return f"curated/{table.name}/part-00000.snappy.parquet"


def table_input(table: DemoTable) -> dict:
    """The Glue TableInput of a scenario table: an external Parquet table in S3."""
    return {
        "Name": table.name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": type_} for name, type_ in table.columns],
            "Location": table.location,
            "InputFormat": PARQUET_INPUT_FORMAT,
            "OutputFormat": PARQUET_OUTPUT_FORMAT,
            "Compressed": False,
            "SerdeInfo": {
                "SerializationLibrary": PARQUET_SERDE,
                "Parameters": {"serialization.format": "1"},
            },
            "StoredAsSubDirectories": False,
        },
        "PartitionKeys": [{"Name": name, "Type": type_} for name, type_ in table.partition_keys],
    }


def _registered_resources(lakeformation) -> set[str]:
    arns, token = set(), None
    while True:
        page = lakeformation.list_resources(**({"NextToken": token} if token else {}))
        arns.update(r["ResourceArn"] for r in page.get("ResourceInfoList", []))
        token = page.get("NextToken")
        if not token:
            return arns


def seed_aws() -> SeedReport:
    """Create the producer account's data lake as SCENARIO.md describes, and marketing's
    environment bucket in its account, if missing (through each account's role)."""
    producer = _Account(ACCOUNT_ID)
    s3 = aws.client("s3", account=producer)
    glue = aws.client("glue", account=producer)
    lakeformation = aws.client("lakeformation", account=producer)
    report = SeedReport()

    for wanted in (ACCOUNT_ID, MARKETING_ACCOUNT_ID):
        account = aws.client("sts", account=_Account(wanted)).get_caller_identity()["Account"]
        if account != wanted:
            report.notes.append(
                f"Role {role_arn_of(wanted)} answers as account {account}: run moto without "
                "MOTO_ACCOUNT_ID, so it switches accounts on assumed-role credentials."
            )

    for bucket in (CURATED_BUCKET, ENVIRONMENT_BUCKET):
        _ensure_bucket(s3, bucket, report)
    _ensure_bucket(
        aws.client("s3", account=_Account(MARKETING_ACCOUNT_ID)),
        MARKETING_ENVIRONMENT_BUCKET,
        report,
    )
    for table in TABLES:
        _ensure_object(s3, CURATED_BUCKET, _object_key(table), PLACEHOLDER_PARQUET, report)

    try:
        glue.get_database(Name=GLUE_DATABASE)
        report.add(f"Glue database {GLUE_DATABASE}", created=False)
    except ClientError as error:
        if not _not_found(error):
            raise
        glue.create_database(
            DatabaseInput={
                "Name": GLUE_DATABASE,
                "Description": "Curated zone of the streaming company's data lake.",
                "LocationUri": f"s3://{CURATED_BUCKET}/curated/",
            }
        )
        report.add(f"Glue database {GLUE_DATABASE}", created=True)

    for table in TABLES:
        what = f"Glue table {GLUE_DATABASE}.{table.name}"
        try:
            glue.get_table(DatabaseName=GLUE_DATABASE, Name=table.name)
            report.add(what, created=False)
        except ClientError as error:
            if not _not_found(error):
                raise
            glue.create_table(DatabaseName=GLUE_DATABASE, TableInput=table_input(table))
            report.add(what, created=True)

    registered = _registered_resources(lakeformation)
    for table in TABLES:
        if not table.managed:
            continue
        what = f"Lake Formation location {table.resource_arn}"
        if table.resource_arn in registered:
            report.add(what, created=False)
            continue
        try:
            lakeformation.register_resource(
                ResourceArn=table.resource_arn, UseServiceLinkedRole=True
            )
            report.add(what, created=True)
        except ClientError as error:  # registered between our look and our write
            if aws.error_code(error) != "AlreadyExistsException":
                raise
            report.add(what, created=False)
    return report


# --- Portal -----------------------------------------------------------------------------------


@transaction.atomic
def seed_portal(*, password: DemoPassword) -> SeedReport:
    """Domain, account, profile and the three demo users, each only if missing.

    Existing users keep their data; their password changes only when DEMO_PASSWORD was
    given explicitly (and differs), so a person's own password survives a restart.
    """
    report = SeedReport()
    domain, created = Domain.objects.get_or_create(
        name=DOMAIN_NAME,
        defaults={"description": "The streaming company's films, categories and streams."},
    )
    report.add(f"domain {domain.name}", created)

    account = _ensure_account(domain, ACCOUNT_ID, "Film team (producer)", report)
    _ensure_profile(
        domain,
        account,
        PROFILE_NAME,
        "Data lake environments (Glue, S3, Athena, Lake Formation) in the film team's account.",
        ENVIRONMENT_BUCKET,
        report,
    )
    marketing = _ensure_account(domain, MARKETING_ACCOUNT_ID, "Marketing (consumer)", report)
    _ensure_profile(
        domain,
        marketing,
        MARKETING_PROFILE_NAME,
        "Data lake environments in marketing's own account: tables of the film team are "
        "shared across accounts with Lake Formation.",
        MARKETING_ENVIRONMENT_BUCKET,
        report,
    )

    User = get_user_model()
    for username, email, platform_admin in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=email,
                is_staff=platform_admin,
                is_superuser=platform_admin,
            )
            user.set_password(password.value)
            user.save()
            report.add(f"user {username}", created=True)
            continue
        report.add(f"user {username}", created=False)
        if password.explicit and not user.check_password(password.value):
            user.set_password(password.value)
            user.save(update_fields=["password"])
            report.notes.append(f"Password of {username} set to DEMO_PASSWORD.")
        elif not password.explicit and not user.check_password(password.value):
            report.kept_passwords.append(username)

    # The platform admin owns the domain, so someone can name its stewards in the portal
    # (domain members page) and decide any request in it.
    admin = User.objects.get(username=DEMO_USERS[0][0])
    _, created = DomainMembership.objects.get_or_create(
        domain=domain, user=admin, defaults={"role": DomainRole.OWNER}
    )
    report.add(f"{admin.username} owner of domain {domain.name}", created)
    return report


def _ensure_account(domain, account_id: str, name: str, report: SeedReport) -> AwsAccount:
    """The account, with the role the portal assumes there (set on an account seeded
    before roles were, never replacing one a person chose)."""
    account, created = AwsAccount.objects.get_or_create(
        domain=domain,
        account_id=account_id,
        defaults={"name": name, "region": REGION, "role_arn": role_arn_of(account_id)},
    )
    report.add(f"AWS account {account.account_id} in {domain.name}", created)
    if not account.role_arn:
        account.role_arn = role_arn_of(account_id)
        account.save(update_fields=["role_arn"])
        report.notes.append(f"AWS account {account_id} now assumes {account.role_arn}.")
    return account


def _ensure_profile(domain, account, name: str, description: str, bucket: str, report) -> None:
    if EnvironmentProfile.objects.filter(domain=domain, name=name).exists():
        report.add(f"environment profile {name}", created=False)
        return
    profile = EnvironmentProfile(
        domain=domain,
        name=name,
        description=description,
        blueprint=Blueprint.DATA_LAKE,
        aws_account=account,
        region=REGION,
        parameters={"s3_bucket": bucket},
    )
    profile.full_clean()
    profile.save()
    report.add(f"environment profile {name}", created=True)


def seed(
    *, aws_side: bool = True, password_file: Path | None = None
) -> tuple[SeedReport, DemoPassword]:
    """Seed both sides of the scenario; return what was done and the users' password."""
    report = SeedReport()
    if aws_side:
        report.extend(seed_aws())
    password = demo_password(password_file=password_file)
    report.extend(seed_portal(password=password))
    return report, password
