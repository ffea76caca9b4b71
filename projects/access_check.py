""" "Check access" for an AWS account association: what the portal can do there, now.

A platform admin associates an account (and the role the portal assumes in it) long
before anybody creates an environment; a typo in the role ARN or a missing Lake
Formation permission would otherwise surface weeks later as a failed provisioning step or
grant. The check makes the calls the portal's work depends on — assume the role, Glue,
Lake Formation, the buckets and grant roles the account's profiles name — and reports
each one as a person reads it: what worked, what did not and why, what was not tried.

Only reads are made, with short timeouts and few retries (someone is waiting for the
answer), on fresh credentials: a cached client could hide a role that no longer works.
"""

from dataclasses import dataclass, field
from datetime import datetime

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from django.utils import timezone

from meshportal import aws

from .choices import Blueprint, CheckStatus
from .permissions import require_platform_admin

CHECK_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=5,
    read_timeout=15,
    user_agent_appid="mesh-portal-check",
)

OK, WARNING, FAILED, SKIPPED = (
    CheckStatus.OK,
    CheckStatus.WARNING,
    CheckStatus.FAILED,
    CheckStatus.SKIPPED,
)


@dataclass
class CheckResult:
    """One call of the check: ``status`` is OK, WARNING, FAILED or SKIPPED."""

    key: str
    label: str
    status: str
    detail: str


@dataclass
class AccessReport:
    """Every call of one check, in the order they were made."""

    account_id: str
    role_arn: str
    checked_at: datetime
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(r.status == FAILED for r in self.results)

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def summary(self) -> str:
        failed, warnings = self.count(FAILED), self.count(WARNING)
        worked = self.count(OK)
        parts = [f"{worked} of {len(self.results)} checks work"]
        if failed:
            parts.append(f"{failed} failed")
        if warnings:
            parts.append(f"{warnings} need{'s' if warnings == 1 else ''} attention")
        return ", ".join(parts) + "."


def _why(error: Exception, *, account_id: str, allow: str) -> str:
    """What went wrong, in words that say what to change."""
    code = aws.error_code(error)
    detail = aws.describe_error(error)
    if isinstance(error, EndpointConnectionError):
        return f"AWS could not be reached ({detail}). Check the network or AWS_ENDPOINT_URL."
    if code in aws.ACCESS_DENIED_CODES:
        return (
            f"Access denied in account {account_id} ({detail}). Allow {allow} for the "
            "portal's role."
        )
    return f"AWS refused the call ({detail})."


def _role_name(arn: str) -> str:
    """``Name`` of ``arn:aws:iam::1:role/path/Name`` or ``arn:aws:sts::1:assumed-role/Name/s``."""
    if ":assumed-role/" in arn:
        return arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
    return arn.rsplit("/", 1)[-1]


class _Checker:
    def __init__(self, account, profiles):
        self.account = account
        self.profiles = profiles
        self.session = None
        self.credentials_kwargs: dict = {}
        self.identity_arn = ""
        self.report = AccessReport(
            account_id=account.account_id, role_arn=account.role_arn, checked_at=timezone.now()
        )

    def add(self, key, label, status, detail):
        self.report.results.append(CheckResult(key, label, status, detail))

    def client(self, service: str, region: str | None = None):
        # One session for every client (service models load once per check); the
        # assumed role's credentials are given per client.
        return self.session.client(
            service,
            region_name=region or self.account.region,
            config=CHECK_CONFIG,
            **self.credentials_kwargs,
        )

    def run(self) -> AccessReport:
        if self.credentials():
            self.glue()
            self.lake_formation()
            self.buckets()
            self.grant_roles()
        return self.report

    # --- the calls ------------------------------------------------------------------

    def credentials(self) -> bool:
        """Assume the role (or take the portal's own credentials) and ask who we are."""
        account, region = self.account, self.account.region
        base = boto3.session.Session(region_name=region)
        if account.role_arn:
            label = "Assume the role (STS AssumeRole)"
            try:
                sts = base.client("sts", config=CHECK_CONFIG)
                credentials = sts.assume_role(
                    RoleArn=account.role_arn, RoleSessionName="mesh-portal-check"
                )["Credentials"]
            except (ClientError, BotoCoreError) as error:
                self.add(
                    "assume_role",
                    label,
                    FAILED,
                    f"The portal could not assume {account.role_arn}: "
                    + _why(error, account_id=account.account_id, allow="sts:AssumeRole")
                    + " The role's trust policy must trust the portal's identity.",
                )
                self._skip_rest("the role could not be assumed")
                return False
            self.credentials_kwargs = {
                "aws_access_key_id": credentials["AccessKeyId"],
                "aws_secret_access_key": credentials["SecretAccessKey"],
                "aws_session_token": credentials["SessionToken"],
            }
            self.add("assume_role", label, OK, f"Assumed {account.role_arn}.")
        self.session = base
        label = "Identify the caller (STS GetCallerIdentity)"
        try:
            identity = self.client("sts").get_caller_identity()
        except (ClientError, BotoCoreError) as error:
            self.add(
                "identity",
                label,
                FAILED,
                _why(error, account_id=account.account_id, allow="sts:GetCallerIdentity"),
            )
            self._skip_rest("the credentials do not work")
            return False
        self.identity_arn = identity.get("Arn", "")
        if identity.get("Account") != account.account_id:
            source = (
                f"The role {account.role_arn}"
                if account.role_arn
                else "The portal's own credentials"
            )
            self.add(
                "identity",
                label,
                FAILED,
                f"{source} act in account {identity.get('Account')}, not in "
                f"{account.account_id}. Correct the account id or the role ARN.",
            )
            self._skip_rest(f"calls would land in account {identity.get('Account')}")
            return False
        self.add(
            "identity",
            label,
            OK,
            f"Calls act as {self.identity_arn} in account {account.account_id}.",
        )
        return True

    def _skip_rest(self, reason: str) -> None:
        for key, label in (
            ("glue", "Read the Glue Data Catalog (GetDatabases)"),
            ("lf_settings", "Read Lake Formation settings (GetDataLakeSettings)"),
            ("lf_resources", "List Lake Formation locations (ListResources)"),
        ):
            self.add(key, label, SKIPPED, f"Not tried: {reason}.")

    def glue(self):
        label = "Read the Glue Data Catalog (GetDatabases)"
        try:
            answer = self.client("glue").get_databases(MaxResults=100)
        except (ClientError, BotoCoreError) as error:
            why = _why(error, account_id=self.account.account_id, allow="glue:GetDatabases")
            self.add("glue", label, FAILED, why)
            return
        count = len(answer.get("DatabaseList", []))
        more = "+" if answer.get("NextToken") else ""
        self.add("glue", label, OK, f"{count}{more} database{'s' if count != 1 else ''} visible.")

    def lake_formation(self):
        label = "Read Lake Formation settings (GetDataLakeSettings)"
        lakeformation = self.client("lakeformation")
        try:
            settings = lakeformation.get_data_lake_settings()["DataLakeSettings"]
        except (ClientError, BotoCoreError) as error:
            allow = "lakeformation:GetDataLakeSettings"
            self.add(
                "lf_settings",
                label,
                FAILED,
                _why(error, account_id=self.account.account_id, allow=allow),
            )
        else:
            admins = [
                a.get("DataLakePrincipalIdentifier", "") for a in settings.get("DataLakeAdmins", [])
            ]
            mine = _role_name(self.identity_arn)
            if self.account.role_arn and any(_role_name(a) == mine for a in admins):
                self.add("lf_settings", label, OK, f"The role {mine} is a data lake administrator.")
            else:
                who = f"the role {mine}" if self.account.role_arn else "the portal's identity"
                self.add(
                    "lf_settings",
                    label,
                    WARNING,
                    f"Readable, but {who} is not a data lake administrator "
                    f"({len(admins)} administrator{'s' if len(admins) != 1 else ''}): it can "
                    "grant only what it was granted with the grant option. Make it a data "
                    "lake administrator to let the portal fulfil subscriptions.",
                )
        label = "List Lake Formation locations (ListResources)"
        try:
            resources = lakeformation.list_resources().get("ResourceInfoList", [])
        except (ClientError, BotoCoreError) as error:
            allow = "lakeformation:ListResources"
            self.add(
                "lf_resources",
                label,
                FAILED,
                _why(error, account_id=self.account.account_id, allow=allow),
            )
            return
        n = len(resources)
        self.add(
            "lf_resources",
            label,
            OK,
            f"{n} registered S3 location{'s' if n != 1 else ''}."
            + ("" if n else " Register the locations of the tables to share."),
        )

    def buckets(self):
        """Each bucket the account's DATA_LAKE profiles name (environments' data goes there)."""
        named: dict[str, list] = {}
        for profile in self.profiles:
            bucket = (profile.parameters or {}).get("s3_bucket")
            if profile.blueprint == Blueprint.DATA_LAKE and bucket:
                named.setdefault(str(bucket), []).append(profile)
        if not named:
            self.add(
                "s3",
                "Reach the profiles' S3 buckets (HeadBucket)",
                SKIPPED,
                "No data lake profile uses this account yet; its bucket is checked once one does.",
            )
            return
        for bucket, profiles in sorted(named.items()):
            label = f"Reach bucket {bucket} (S3 HeadBucket)"
            names = ", ".join(sorted(p.name for p in profiles))
            try:
                self.client("s3", region=profiles[0].region).head_bucket(Bucket=bucket)
            except (ClientError, BotoCoreError) as error:
                code = aws.error_code(error)
                if code in {"404", "NoSuchBucket", "NotFound"}:
                    why = (
                        f"Bucket {bucket} (named by profile {names}) does not exist in account "
                        f"{self.account.account_id}. Create it or correct the profile."
                    )
                elif code in {"403", "Forbidden"} | aws.ACCESS_DENIED_CODES:
                    why = (
                        f"Access denied to bucket {bucket} (named by profile {names}). Allow "
                        "s3:ListBucket and s3:PutObject on it for the portal's role."
                    )
                else:
                    why = _why(error, account_id=self.account.account_id, allow="s3:ListBucket")
                self.add(f"s3:{bucket}", label, FAILED, why)
            else:
                self.add(f"s3:{bucket}", label, OK, f"Reachable (profile {names}).")

    def grant_roles(self):
        """Roles a profile names to receive grants must exist (provisioning does not make them)."""
        for profile in self.profiles:
            arn = (profile.parameters or {}).get("grant_role_arn")
            if profile.blueprint != Blueprint.DATA_LAKE or not arn:
                continue
            name = _role_name(arn)
            label = f"Find grant role {name} (IAM GetRole)"
            try:
                self.client("iam").get_role(RoleName=name)
            except (ClientError, BotoCoreError) as error:
                if aws.error_code(error) == "NoSuchEntity":
                    why = (
                        f"Role {name} (named by profile {profile.name}) does not exist in "
                        f"account {self.account.account_id}. Create it or correct the profile."
                    )
                else:
                    why = _why(error, account_id=self.account.account_id, allow="iam:GetRole")
                self.add(f"iam:{profile.pk}", label, FAILED, why)
            else:
                self.add(f"iam:{profile.pk}", label, OK, f"Exists (profile {profile.name}).")


def aws_account_check_access(*, acting_user, account) -> AccessReport:
    """Make the calls the portal depends on in ``account`` and say how each went.

    Platform admins only: the check spends the portal's own AWS credentials.
    """
    require_platform_admin(acting_user, "check access to AWS accounts")
    profiles = list(account.environment_profiles.order_by("name"))
    return _Checker(account, profiles).run()
