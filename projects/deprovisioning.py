"""Removal of what provisioning created for an environment (the reverse of provisioning.py).

Only what the portal made is removed, by the names recorded on the environment when it
was created: the two Glue databases, the Athena workgroup, the objects under the
environment's own S3 prefix, the grant role when the portal created it (it carries the
``meshportal:environment`` tag; a role named by the profile belongs to the platform
admins and stays), and for DATA_WAREHOUSE the Redshift role. The Redshift user is the
profile's own login, not the portal's, so it stays too.

Every step accepts "already gone", so a retry (or a message delivered twice) finishes
the job instead of failing on the half that was done, and a resource someone removed by
hand is no obstacle. Access denied fails the step with what to ask a platform admin.
"""

import logging

from botocore.exceptions import ClientError

from meshportal import aws

from .choices import Blueprint
from .provisioning import ClusterSteps, StepError, _role_name, _split_s3, run_steps

logger = logging.getLogger(__name__)

# The first step is the sharing app's: grants are revoked before anything is removed.
REVOKE_GRANTS_STEP = ("revoke_grants", "Subscription grants revoked")
DATA_LAKE_STEPS = [
    ("athena_workgroup", "Athena workgroup"),
    ("consumer_glue_database", "Consumer Glue database"),
    ("producer_glue_database", "Producer Glue database"),
    ("grant_role", "IAM role that receives grants"),
    ("s3_location", "Objects under the S3 prefix"),
]
DATA_WAREHOUSE_STEPS = [
    ("redshift_role", "Redshift role that receives grants"),
]
S3_DELETE_BATCH = 1000  # the most delete_objects accepts in one call


def steps_for(blueprint: str) -> list[tuple[str, str]]:
    """The deletion checklist the page shows, grants first."""
    resources = DATA_LAKE_STEPS if blueprint == Blueprint.DATA_LAKE else DATA_WAREHOUSE_STEPS
    return [REVOKE_GRANTS_STEP, *resources]


class DeprovisioningError(StepError):
    """A removal step failed."""


class DataLakeDeprovisioner:
    """Deletes the workgroup, both Glue databases, the portal's grant role and the prefix."""

    def __init__(self, environment):
        self.env = environment
        self.profile = environment.profile
        self.account = self.profile.aws_account

    def client(self, service):
        return aws.client(service, account=self.account, region=self.profile.region)

    def athena_workgroup(self):
        if not self.env.athena_workgroup:
            return
        athena = self.client("athena")
        try:
            # moto answers an unknown workgroup with an empty body, AWS with an error.
            if not athena.get_work_group(WorkGroup=self.env.athena_workgroup).get("WorkGroup"):
                return
            # Recursive: saved queries and prepared statements of the workgroup go with it.
            athena.delete_work_group(
                WorkGroup=self.env.athena_workgroup, RecursiveDeleteOption=True
            )
        except ClientError as error:
            if _gone(error):
                return
            raise

    def _glue_database(self, name: str):
        if not name:
            return
        glue = self.client("glue")
        try:
            # Tables and resource links still in it go with it; sharing has already
            # revoked (and deleted) the links it made.
            glue.delete_database(CatalogId=self.account.account_id, Name=name)
        except ClientError as error:
            if aws.error_code(error) == "EntityNotFoundException":
                return
            raise

    def consumer_glue_database(self):
        self._glue_database(self.env.consumer_glue_database)

    def producer_glue_database(self):
        self._glue_database(self.env.producer_glue_database)

    def grant_role(self):
        if not self.env.grant_role_arn:
            return
        iam = self.client("iam")
        _, name = _role_name(self.env.grant_role_arn)
        try:
            tags = iam.list_role_tags(RoleName=name)["Tags"]
        except ClientError as error:
            if aws.error_code(error) == "NoSuchEntity":
                return
            raise
        owner = {tag["Key"]: tag["Value"] for tag in tags}.get("meshportal:environment")
        if owner != str(self.env.pk):
            # Named by the profile (or another environment's): not ours to delete.
            logger.info("Leaving role %s in place: the portal did not create it", name)
            return
        try:
            # A role with policies or instance profiles cannot be deleted (DeleteConflict).
            for policy in _all(iam, "list_role_policies", "PolicyNames", RoleName=name):
                iam.delete_role_policy(RoleName=name, PolicyName=policy)
            for policy in _all(
                iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name
            ):
                iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
            for profile in _all(
                iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=name
            ):
                iam.remove_role_from_instance_profile(
                    InstanceProfileName=profile["InstanceProfileName"], RoleName=name
                )
            iam.delete_role(RoleName=name)
        except ClientError as error:
            if aws.error_code(error) == "NoSuchEntity":
                return
            raise

    def s3_location(self):
        if not self.env.s3_location:
            return
        bucket, prefix = _split_s3(self.env.s3_location)
        if not prefix.endswith("/") or prefix.count("/") < 2:
            # Never empty a bucket or someone else's folder because of a malformed record.
            raise DeprovisioningError(
                "s3_location",
                f"Objects under the S3 prefix: '{self.env.s3_location}' is not an "
                "environment's own prefix; nothing was deleted. Ask a platform admin.",
            )
        s3 = self.client("s3")
        try:
            pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for page in pages:
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                for start in range(0, len(keys), S3_DELETE_BATCH):
                    answer = s3.delete_objects(
                        Bucket=bucket,
                        Delete={"Objects": keys[start : start + S3_DELETE_BATCH], "Quiet": True},
                    )
                    errors = answer.get("Errors") or []
                    if errors:
                        first = errors[0]
                        raise DeprovisioningError(
                            "s3_location",
                            f"Objects under the S3 prefix: {len(errors)} object(s) could not "
                            f"be deleted, e.g. s3://{bucket}/{first.get('Key')} "
                            f"({first.get('Code')}: {first.get('Message')}). Fix that and retry.",
                        )
        except ClientError as error:
            if aws.error_code(error) in {"NoSuchBucket", "404"}:
                return
            raise


class DataWarehouseDeprovisioner(ClusterSteps):
    """Drops the Redshift role provisioning created (tests use a real Postgres)."""

    error_class = DeprovisioningError
    connection_step = "redshift_role"

    def redshift_role(self):
        import psycopg2

        name = self.env.redshift_role
        if not name:
            return
        with self.connection().cursor() as cursor:
            cursor.execute("SELECT version()")
            is_redshift = "redshift" in cursor.fetchone()[0].lower()
            cursor.execute(role_exists_sql(is_redshift), [name])
            if cursor.fetchone() is None:
                return
            try:
                cursor.execute(drop_role_sql(name, is_redshift=is_redshift))
            except psycopg2.errors.DependentObjectsStillExist as error:
                detail = (error.diag.message_detail or str(error)).strip().replace("\n", "; ")
                raise DeprovisioningError(
                    "redshift_role",
                    f"Redshift role: '{name}' still holds privileges ({detail}). Revoke them "
                    "(or the subscriptions that granted them), then retry.",
                ) from error
            except psycopg2.errors.InsufficientPrivilege as error:
                raise DeprovisioningError(
                    "redshift_role",
                    f"Redshift role: user '{self.profile.parameters.get('user')}' may not drop "
                    f"role '{name}' ({str(error).strip()}). Ask a platform admin to give the "
                    "portal's cluster user that right, then retry.",
                ) from error


def role_exists_sql(is_redshift: bool) -> str:
    """Redshift lists roles in svv_roles; PostgreSQL in pg_roles."""
    if is_redshift:
        return "SELECT 1 FROM svv_roles WHERE role_name = %s"
    return "SELECT 1 FROM pg_roles WHERE rolname = %s"


def drop_role_sql(name: str, *, is_redshift: bool):
    """Redshift's DROP ROLE … FORCE also takes the role from the users it was granted to;
    PostgreSQL refuses while the role holds privileges (the caller explains that)."""
    from psycopg2 import sql

    statement = "DROP ROLE {} FORCE" if is_redshift else "DROP ROLE {}"
    return sql.SQL(statement).format(sql.Identifier(name))


def _all(client, operation: str, key: str, **kwargs) -> list:
    """Every item of an IAM listing, through its paginator."""
    items = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(page.get(key, []))
    return items


def _gone(error: ClientError) -> bool:
    """Athena says "not found" with InvalidRequestException and a message."""
    code = aws.error_code(error)
    if code in aws.NOT_FOUND_CODES:
        return True
    return code == "InvalidRequestException" and "not found" in aws.describe_error(error).lower()


def deprovision(environment, *, on_step_done) -> None:
    """Remove every resource in order; raise DeprovisioningError on the first failure.

    ``on_step_done(key, at)`` records each removed (or already absent) resource so the
    page can show the progress.
    """
    blueprint = environment.profile.blueprint
    deprovisioner = (
        DataLakeDeprovisioner(environment)
        if blueprint == Blueprint.DATA_LAKE
        else DataWarehouseDeprovisioner(environment)
    )
    run_steps(
        deprovisioner,
        steps_for(blueprint)[1:],
        error_class=DeprovisioningError,
        step_label=lambda label: f"Removing {label}",
        account_id=environment.aws_account_id,
        on_step_done=lambda key, at, updates: on_step_done(key, at),
    )
