"""Provisioning of an environment's resources in AWS (or in a Redshift cluster).

Every step is idempotent: it first looks for what it is about to create and accepts
"already exists", so a retry after a failure (or a message delivered twice) finishes the
job instead of failing on the half that was done. Progress is saved after each step so
the environment page can show how far provisioning got.
"""

import json
import logging

from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from django.utils import timezone

from meshportal import aws

from . import redshift
from .choices import Blueprint

logger = logging.getLogger(__name__)

DATA_LAKE_STEPS = [
    ("s3_location", "S3 prefix"),
    ("grant_role", "IAM role that receives grants"),
    ("producer_glue_database", "Producer Glue database"),
    ("consumer_glue_database", "Consumer Glue database"),
    ("athena_workgroup", "Athena workgroup"),
]
DATA_WAREHOUSE_STEPS = [
    ("cluster_connection", "Connection to the Redshift cluster"),
    ("redshift_role", "Redshift role that receives grants"),
]


def steps_for(blueprint: str) -> list[tuple[str, str]]:
    return DATA_LAKE_STEPS if blueprint == Blueprint.DATA_LAKE else DATA_WAREHOUSE_STEPS


class StepError(Exception):
    """A step failed; ``message`` tells a person what happened and what to do."""

    def __init__(self, step: str, message: str):
        super().__init__(message)
        self.step = step
        self.message = message


class ProvisioningError(StepError):
    """A provisioning step failed."""


def _explain(
    error: Exception, *, step_label: str, account_id: str, hint_not_found: str = ""
) -> str:
    code = aws.error_code(error)
    detail = aws.describe_error(error)
    if isinstance(error, EndpointConnectionError):
        return (
            f"{step_label}: AWS could not be reached ({detail}). Check the network or "
            "AWS_ENDPOINT_URL, then retry."
        )
    if code in aws.ACCESS_DENIED_CODES:
        return (
            f"{step_label}: access denied in account {account_id} ({detail}). Ask a platform "
            "admin to allow the portal's role to do this, then retry."
        )
    if code in aws.NOT_FOUND_CODES and hint_not_found:
        return f"{step_label}: {hint_not_found} ({detail})"
    return f"{step_label}: AWS refused the request ({detail}). Retry; if it fails again, ask a platform admin."


def _role_name(role_arn: str) -> tuple[str, str]:
    """(path, name) of an IAM role ARN such as arn:aws:iam::1:role/meshportal/mp-x."""
    resource = role_arn.split(":role", 1)[1]  # "/meshportal/mp-x"
    path, _, name = resource.rpartition("/")
    return (path + "/") if path else "/", name


def _split_s3(location: str) -> tuple[str, str]:
    bucket, _, key = location.removeprefix("s3://").partition("/")
    return bucket, key


class DataLakeProvisioner:
    """Creates the S3 prefix, the grant role, two Glue databases and an Athena workgroup."""

    def __init__(self, environment):
        self.env = environment
        self.profile = environment.profile
        self.account = self.profile.aws_account

    def client(self, service):
        return aws.client(service, account=self.account, region=self.profile.region)

    def s3_location(self):
        bucket, key = _split_s3(self.env.s3_location)
        s3 = self.client("s3")
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as error:
            if aws.error_code(error) in {"404", "NoSuchBucket", "NotFound"}:
                raise ProvisioningError(
                    "s3_location",
                    f"S3 prefix: bucket '{bucket}' (named by profile '{self.profile.name}') does "
                    f"not exist in account {self.account.account_id}. Ask a platform admin to "
                    "create it or correct the profile, then retry.",
                ) from error
            raise
        s3.put_object(Bucket=bucket, Key=key, Body=b"")

    def grant_role(self):
        iam = self.client("iam")
        path, name = _role_name(self.env.grant_role_arn)
        if self.profile.parameters.get("grant_role_arn"):
            return {"grant_role_arn": self._provided_role_arn(iam, name)}
        role = self._create_role(iam, path, name)
        # put_role_policy replaces the policy of that name: naturally idempotent.
        iam.put_role_policy(
            RoleName=name,
            PolicyName="meshportal-environment",
            PolicyDocument=json.dumps(self._role_policy()),
        )
        # The ARN AWS reports is the truth (the account may differ from the one derived).
        return {"grant_role_arn": role["Arn"]}

    def _provided_role_arn(self, iam, name: str) -> str:
        """The platform admin provides the role; it must exist."""
        try:
            return iam.get_role(RoleName=name)["Role"]["Arn"]
        except ClientError as error:
            if aws.error_code(error) == "NoSuchEntity":
                raise ProvisioningError(
                    "grant_role",
                    f"IAM role: role '{name}' named by profile '{self.profile.name}' does not "
                    f"exist in account {self.account.account_id}. Ask a platform admin to "
                    "create it or correct the profile, then retry.",
                ) from error
            raise

    def _create_role(self, iam, path: str, name: str) -> dict:
        """The environment's role, trusted by its account (the one left by an earlier
        attempt is taken as it is)."""
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{self.account.account_id}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        try:
            return iam.create_role(
                Path=path,
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description=f"Mesh Portal: receives grants for environment {self.env.pk}",
                Tags=[
                    {"Key": "meshportal:environment", "Value": str(self.env.pk)},
                    {"Key": "meshportal:project", "Value": str(self.env.project_id)},
                ],
            )["Role"]
        except ClientError as error:
            if aws.error_code(error) != "EntityAlreadyExists":
                raise
            return iam.get_role(RoleName=name)["Role"]

    def _role_policy(self) -> dict:
        """What the role may do: query in the environment's workgroup, read the catalog and
        Lake Formation data, and use the environment's S3 prefix."""
        bucket, key = _split_s3(self.env.s3_location)
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["athena:*"],
                    "Resource": f"arn:aws:athena:{self.profile.region}:{self.account.account_id}:"
                    f"workgroup/{self.env.athena_workgroup}",
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "glue:Get*",
                        "glue:BatchGet*",
                        "glue:SearchTables",
                        "lakeformation:GetDataAccess",
                    ],
                    "Resource": "*",
                },
                {
                    "Effect": "Allow",
                    "Action": [
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:ListBucket",
                        "s3:GetBucketLocation",
                    ],
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{key}*"],
                },
            ],
        }

    def _glue_database(self, name: str, location_suffix: str, description: str):
        glue = self.client("glue")
        try:
            glue.create_database(
                CatalogId=self.account.account_id,
                DatabaseInput={
                    "Name": name,
                    "Description": description,
                    "LocationUri": self.env.s3_location + location_suffix,
                    "Parameters": {"meshportal:environment": str(self.env.pk)},
                },
            )
        except ClientError as error:
            if aws.error_code(error) != "AlreadyExistsException":
                raise

    def producer_glue_database(self):
        self._glue_database(
            self.env.producer_glue_database,
            "producer/",
            f"Mesh Portal: tables project {self.env.project.name} publishes from {self.env.name}",
        )

    def consumer_glue_database(self):
        self._glue_database(
            self.env.consumer_glue_database,
            "consumer/",
            f"Mesh Portal: resource links to subscribed tables of project {self.env.project.name}",
        )

    def athena_workgroup(self):
        athena = self.client("athena")
        try:
            # moto answers an unknown workgroup with an empty body, AWS with an error.
            if athena.get_work_group(WorkGroup=self.env.athena_workgroup).get("WorkGroup"):
                return
        except ClientError as error:
            if aws.error_code(error) not in {
                "InvalidRequestException",
                "ResourceNotFoundException",
            }:
                raise
        try:
            athena.create_work_group(
                Name=self.env.athena_workgroup,
                Description=f"Mesh Portal: queries of {self.env.project.name} / {self.env.name}"[
                    :1024
                ],
                Configuration={
                    "ResultConfiguration": {
                        "OutputLocation": self.env.s3_location + "athena-results/"
                    },
                    "EnforceWorkGroupConfiguration": True,
                },
                Tags=[{"Key": "meshportal:environment", "Value": str(self.env.pk)}],
            )
        except ClientError as error:
            message = aws.describe_error(error).lower()
            if "already" not in message:
                raise


class ClusterSteps:
    """Steps that work over one connection to the profile's cluster, opened on first
    use and closed after the last step. A failed connection fails ``connection_step``
    with ``error_class``."""

    error_class = StepError
    connection_step = "cluster_connection"

    def __init__(self, environment):
        self.env = environment
        self.profile = environment.profile
        self._connection = None

    def connection(self):
        if self._connection is None:
            try:
                self._connection = redshift.connect(self.profile)
            except redshift.ClusterConnectionError as error:
                raise self.error_class(
                    self.connection_step, f"Cluster connection: {error.message}"
                ) from error
        return self._connection

    def close(self):
        if self._connection is not None:
            self._connection.close()


class DataWarehouseProvisioner(ClusterSteps):
    """Checks the cluster connection and creates the role that later receives grants.

    Redshift speaks the Postgres protocol; tests use a real Postgres as the cluster.
    """

    error_class = ProvisioningError

    def cluster_connection(self):
        with self.connection().cursor() as cursor:
            cursor.execute("SELECT 1")

    def redshift_role(self):
        import psycopg2
        from psycopg2 import sql

        with self.connection().cursor() as cursor:
            try:
                cursor.execute(
                    sql.SQL("CREATE ROLE {}").format(sql.Identifier(self.env.redshift_role))
                )
            except psycopg2.errors.DuplicateObject:
                pass


def run_steps(worker, steps, *, error_class, step_label, account_id, on_step_done) -> None:
    """Run ``worker``'s method of each step key in order, then ``on_step_done(key, at,
    updates)`` with the resource values it returned; raise ``error_class`` on the first
    failure, with AWS errors explained. The worker's connection is closed at the end."""
    try:
        for key, label in steps:
            try:
                updates = getattr(worker, key)() or {}
            except error_class:
                raise
            except (ClientError, BotoCoreError) as error:
                raise error_class(
                    key, _explain(error, step_label=step_label(label), account_id=account_id)
                ) from error
            on_step_done(key, timezone.now(), updates)
    finally:
        if hasattr(worker, "close"):
            worker.close()


def _apply_and_record(environment, on_step_done):
    """Keep the values a step returned on the environment too, for the next steps."""

    def done(key, at, updates):
        for field, value in updates.items():
            setattr(environment, field, value)
        on_step_done(key, at, updates)

    return done


def provision(environment, *, on_step_done) -> None:
    """Run every step in order; raise ProvisioningError on the first failure.

    Steps run again on a retry (they are idempotent), so a resource deleted behind the
    portal's back is made again. A step may return resource values AWS decided (the
    role's real ARN); they are passed to ``on_step_done(key, at, updates)``.
    """
    blueprint = environment.profile.blueprint
    provisioner = (
        DataLakeProvisioner(environment)
        if blueprint == Blueprint.DATA_LAKE
        else DataWarehouseProvisioner(environment)
    )
    run_steps(
        provisioner,
        steps_for(blueprint),
        error_class=ProvisioningError,
        step_label=lambda label: label,
        account_id=environment.aws_account_id,
        on_step_done=_apply_and_record(environment, on_step_done),
    )
