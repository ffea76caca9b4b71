"""Lake Formation grants: same account, or across accounts with a resource link.

Every call that changes AWS is recorded in the grant's ``target`` as a *step* the moment
it succeeded (a permission granted in one account, a resource link created), so revoke
undoes exactly those steps in reverse order, even for a grant that failed half-way, and
reconciliation knows precisely which permissions the portal is answerable for.

moto's Lake Formation is bookkeeping only (see ARCHITECTURE.md): it never refuses, never
throttles and revokes nothing silently. The code therefore treats AWS's real answers
("No permissions revoked", ConcurrentModificationException, AccessDeniedException) on
their own terms; tests inject them with the fault-injecting proxy.
"""

import json
import logging
import re
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from meshportal import aws

from .base import TRANSIENT_CODES, AccountRef, Backoff, GrantError, call_with_retry, is_transient

logger = logging.getLogger(__name__)

TABLE_PERMISSIONS = ["SELECT", "DESCRIBE"]
LINK_PERMISSIONS = ["DESCRIBE"]
# What AWS answers (InvalidInputException) when a revoke finds nothing to take away: the
# permission is already gone, which is the state revoke wants.
ALREADY_REVOKED_MESSAGES = ("No permissions revoked", "Grantee has no permissions")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")
MAX_LINK_NAME_TRIES = 20


@dataclass(frozen=True)
class LakeFormationGrant:
    """What to share (a Glue table of the producer) with whom (roles of the consumer).

    ``consumer.account_id`` different from ``producer.account_id`` makes it a
    cross-account grant. ``catalog_id`` is the producer's Glue catalog (its account id
    unless the catalog says otherwise).
    """

    producer: AccountRef
    database: str
    table: str
    location: str
    principals: tuple[str, ...]
    consumer: AccountRef
    consumer_database: str
    catalog_id: str = ""

    def __post_init__(self):
        if not self.catalog_id:
            object.__setattr__(self, "catalog_id", self.producer.account_id)
        object.__setattr__(self, "principals", tuple(dict.fromkeys(self.principals)))

    @property
    def cross_account(self) -> bool:
        return self.consumer.account_id != self.producer.account_id

    @property
    def missing_table_hint(self) -> str:
        """What to do when AWS says the shared table is not there."""
        return (
            f"Table {self.database}.{self.table} may have been deleted or renamed in Glue: "
            "run the data source again, then retry."
        )

    def table_grant_label(self, role: str) -> str:
        return f"Granting SELECT on {self.database}.{self.table} to {role}"

    def link_grant_label(self, link_name: str, role: str) -> str:
        return f"Granting DESCRIBE on resource link {self.consumer_database}.{link_name} to {role}"

    def validate(self) -> None:
        """Refuse a description AWS would refuse, with a message saying what to fix."""
        if not self.principals:
            raise GrantError(
                "The environment has no IAM role to grant to; finish provisioning it first.",
                transient=False,
            )
        for principal in self.principals:
            match = ROLE_ARN.match(principal)
            if match is None:
                raise GrantError(f"'{principal}' is not an IAM role ARN.", transient=False)
            if match.group(1) != self.consumer.account_id:
                raise GrantError(
                    f"Role {principal} is not in the consumer account "
                    f"{self.consumer.account_id}; Lake Formation grants reach roles of the "
                    "environment's own account only.",
                    transient=False,
                )
        if not self.consumer_database:
            raise GrantError(
                "The environment has no consumer Glue database; finish provisioning it first.",
                transient=False,
            )


def _table_resource(catalog_id: str, database: str, name: str) -> dict:
    return {"Table": {"CatalogId": catalog_id, "DatabaseName": database, "Name": name}}


class _Context:
    """The clients of one account, and how a failed call there is explained."""

    def __init__(self, account: AccountRef, backoff: Backoff):
        self.account = account
        self.backoff = backoff

    def call(self, service: str, operation: str, label: str, *, hint_not_found="", **kwargs):
        client = aws.client(service, account=self.account, region=self.account.region)
        try:
            return call_with_retry(self.backoff, getattr(client, operation), **kwargs)
        except (ClientError, BotoCoreError) as error:
            raise GrantError(
                explain(
                    error, label=label, account_id=self.account.account_id, hint=hint_not_found
                ),
                transient=is_transient(error),
            ) from error


def explain(error: Exception, *, label: str, account_id: str, hint: str = "") -> str:
    """One sentence a person can act on: what failed, where, AWS's words, what to do."""
    return explain_code(
        aws.error_code(error),
        aws.describe_error(error),
        label=label,
        account_id=account_id,
        hint=hint,
        transient=is_transient(error),
    )


def explain_code(
    code: str, detail: str, *, label: str, account_id: str, hint: str = "", transient=None
) -> str:
    """``explain`` for an error given as AWS's code and message (a batch call's answer
    for one entry)."""
    if transient is None:
        transient = code in TRANSIENT_CODES
    if code in aws.ACCESS_DENIED_CODES:
        return (
            f"{label}: access denied in account {account_id} ({detail}). The portal's role "
            "there must be a Lake Formation data lake administrator (or hold these "
            "permissions with grant option); fix that, then retry."
        )
    if code in aws.NOT_FOUND_CODES:
        return f"{label}: not found in account {account_id} ({detail}). {hint}".strip()
    if transient:
        return f"{label}: AWS is busy in account {account_id} ({detail}); the portal retries."
    return f"{label}: AWS refused the request in account {account_id} ({detail})."


@dataclass
class _Recorder:
    """The target being built: each step is appended as soon as AWS confirmed it."""

    spec: LakeFormationGrant
    steps: list = field(default_factory=list)
    link: dict | None = None

    def permission(self, side: str, account: AccountRef, principal, resource, perms, grantable):
        self.steps.append(
            {
                "type": "permission",
                "side": side,
                "account": account.as_json(),
                "principal": principal,
                "resource": resource,
                "permissions": list(perms),
                "grantable": list(grantable),
            }
        )

    def resource_link(self, account: AccountRef, database: str, name: str, target_table: dict):
        self.link = {"catalog_id": account.account_id, "database": database, "name": name}
        self.steps.append(
            {
                "type": "resource_link",
                "account": account.as_json(),
                "database": database,
                "name": name,
                "target_table": target_table,
            }
        )

    def target(self) -> dict:
        spec = self.spec
        return {
            "backend": "LAKE_FORMATION",
            "mode": "CROSS_ACCOUNT" if spec.cross_account else "SAME_ACCOUNT",
            "producer": spec.producer.as_json(),
            "consumer": spec.consumer.as_json(),
            "table": {
                "catalog_id": spec.catalog_id,
                "database": spec.database,
                "name": spec.table,
            },
            "principals": list(spec.principals),
            "permissions": TABLE_PERMISSIONS,
            "resource_link": self.link,
            "steps": self.steps,
        }


class LakeFormationBackend:
    """Grants, revokes and reconciles Lake Formation permissions."""

    def __init__(self, backoff: Backoff | None = None):
        self.backoff = backoff or Backoff()

    # --- grant -----------------------------------------------------------------------

    def grant(self, spec: LakeFormationGrant) -> dict:
        """Share the table with every principal; return the target (what was created).

        Safe to run again after a partial failure: Lake Formation grants are idempotent
        and an existing resource link to the same table is reused.
        """
        spec.validate()
        record = _Recorder(spec)
        producer = _Context(spec.producer, self.backoff)
        consumer = _Context(spec.consumer, self.backoff)
        table = _table_resource(spec.catalog_id, spec.database, spec.table)
        target_table = {
            "CatalogId": spec.catalog_id,
            "DatabaseName": spec.database,
            "Name": spec.table,
        }
        hint = spec.missing_table_hint
        try:
            if spec.cross_account:
                # The producer shares with the consumer *account*, with grant option so that
                # the consumer's admin (the portal, in that account) can pass it to roles.
                producer.call(
                    "lakeformation",
                    "grant_permissions",
                    f"Sharing {spec.database}.{spec.table} with account {spec.consumer.account_id}",
                    hint_not_found=hint,
                    Principal={"DataLakePrincipalIdentifier": spec.consumer.account_id},
                    Resource=table,
                    Permissions=TABLE_PERMISSIONS,
                    PermissionsWithGrantOption=TABLE_PERMISSIONS,
                )
                record.permission(
                    "producer",
                    spec.producer,
                    spec.consumer.account_id,
                    table,
                    TABLE_PERMISSIONS,
                    TABLE_PERMISSIONS,
                )
            else:
                for role in spec.principals:
                    producer.call(
                        "lakeformation",
                        "grant_permissions",
                        spec.table_grant_label(role),
                        hint_not_found=hint,
                        Principal={"DataLakePrincipalIdentifier": role},
                        Resource=table,
                        Permissions=TABLE_PERMISSIONS,
                    )
                    record.permission("producer", spec.producer, role, table, TABLE_PERMISSIONS, [])
            name = self._ensure_link(consumer, spec, target_table)
            record.resource_link(spec.consumer, spec.consumer_database, name, target_table)
            link = _table_resource(spec.consumer.account_id, spec.consumer_database, name)
            for role in spec.principals:
                consumer.call(
                    "lakeformation",
                    "grant_permissions",
                    spec.link_grant_label(name, role),
                    Principal={"DataLakePrincipalIdentifier": role},
                    Resource=link,
                    Permissions=LINK_PERMISSIONS,
                )
                record.permission("consumer", spec.consumer, role, link, LINK_PERMISSIONS, [])
                if spec.cross_account:
                    consumer.call(
                        "lakeformation",
                        "grant_permissions",
                        f"Granting SELECT on shared table {spec.database}.{spec.table} to {role}",
                        hint_not_found=hint,
                        Principal={"DataLakePrincipalIdentifier": role},
                        Resource=table,
                        Permissions=["SELECT"],
                    )
                    record.permission("consumer", spec.consumer, role, table, ["SELECT"], [])
        except GrantError as error:
            error.target = record.target()
            raise
        return record.target()

    def grant_many(self, specs: list[LakeFormationGrant]) -> list:
        """Same-account grants together, in batch calls (lakeformation_batch.py): each
        one's target, or the GrantError that stopped it, in the order given."""
        from .lakeformation_batch import grant_many

        return grant_many(self, specs)

    def _ensure_link(self, consumer: _Context, spec: LakeFormationGrant, target_table) -> str:
        """The name of a resource link to the table in the consumer database: an existing
        link to the same table is reused; a name taken by something else gets a suffix.

        Creates first and looks only when the name is taken: nearly every grant then
        costs one Glue call, not three (a missing consumer database shows up as the
        create's EntityNotFoundException, with the same advice).
        """
        database = spec.consumer_database
        base = spec.table.lower()
        candidates = [base, f"{base}_{spec.database.lower()}"] + [
            f"{base}_{spec.database.lower()}_{n}" for n in range(2, MAX_LINK_NAME_TRIES)
        ]
        glue = aws.client("glue", account=spec.consumer, region=spec.consumer.region)
        for name in (c[:255] for c in candidates):
            try:
                call_with_retry(
                    self.backoff,
                    glue.create_table,
                    CatalogId=spec.consumer.account_id,
                    DatabaseName=database,
                    TableInput={
                        "Name": name,
                        "TargetTable": target_table,
                        "Parameters": {"meshportal:link": "true"},
                    },
                )
                return name
            except ClientError as error:
                code = aws.error_code(error)
                if code != "AlreadyExistsException":
                    hint = (
                        "The environment's consumer database is missing; retry the "
                        "environment's provisioning, then retry the grant."
                        if code == "EntityNotFoundException"
                        else ""
                    )
                    raise GrantError(
                        explain(
                            error,
                            label=f"Creating resource link {database}.{name}",
                            account_id=spec.consumer.account_id,
                            hint=hint,
                        ),
                        transient=is_transient(error),
                    ) from error
            # The name is taken: by our own link to this table (a retried grant, another
            # environment on the same database) it is reused, by anything else skipped.
            try:
                existing = call_with_retry(
                    self.backoff,
                    glue.get_table,
                    CatalogId=spec.consumer.account_id,
                    DatabaseName=database,
                    Name=name,
                )["Table"]
            except ClientError as error:
                if aws.error_code(error) == "EntityNotFoundException":
                    continue  # deleted between our create and our look: try the next name
                raise GrantError(
                    explain(
                        error,
                        label=f"Looking up {database}.{name}",
                        account_id=spec.consumer.account_id,
                    ),
                    transient=is_transient(error),
                ) from error
            if _same_target(existing.get("TargetTable"), target_table):
                return name
        raise GrantError(
            f"No free name for a resource link to {spec.database}.{spec.table} in "
            f"{database} after {MAX_LINK_NAME_TRIES} tries; remove unused tables there.",
            transient=False,
        )

    # --- revoke ----------------------------------------------------------------------

    def revoke(
        self, target: dict, *, principals: list[str] | None = None, keep: frozenset = frozenset()
    ) -> dict:
        """Undo the recorded steps in reverse order and return what is left recorded.

        With ``principals`` only those roles' permissions go (a role removed from the
        environment) and the resource link stays for the others. Permission steps whose
        ``step_key`` is in ``keep`` are still needed by another grant (Lake Formation does
        not count references: two environments of one consumer account share the
        producer's grant to that account), so they are forgotten, not revoked. On a failure, the
        GrantError's target still lists every step not yet undone, so a retry continues.
        """
        steps = list(target.get("steps", []))
        remaining = list(steps)
        try:
            for step in reversed(steps):
                if principals is not None and (
                    step["type"] != "permission" or step["principal"] not in principals
                ):
                    continue
                if step["type"] == "permission":
                    if step_key(step) not in keep:
                        self._revoke_permission(step)
                else:
                    self._delete_link(step)
                remaining.remove(step)
        except GrantError as error:
            error.target = _with_steps(target, remaining, principals)
            raise
        return _with_steps(target, remaining, principals)

    def _revoke_permission(self, step: dict) -> None:
        context = _Context(AccountRef.from_json(step["account"]), self.backoff)
        client = aws.client("lakeformation", account=context.account)
        resource = step["resource"]["Table"]
        label = (
            f"Revoking {', '.join(step['permissions'])} on "
            f"{resource['DatabaseName']}.{resource['Name']} from {step['principal']}"
        )
        try:
            call_with_retry(
                self.backoff,
                client.revoke_permissions,
                Principal={"DataLakePrincipalIdentifier": step["principal"]},
                Resource=step["resource"],
                Permissions=step["permissions"],
                PermissionsWithGrantOption=step["grantable"],
            )
        except (ClientError, BotoCoreError) as error:
            if aws.error_code(error) == "InvalidInputException" and any(
                text in aws.describe_error(error) for text in ALREADY_REVOKED_MESSAGES
            ):
                return  # already gone: that is what revoke wants
            if aws.error_code(error) == "EntityNotFoundException":
                return  # the table is gone, and its permissions with it
            raise GrantError(
                explain(error, label=label, account_id=context.account.account_id),
                transient=is_transient(error),
            ) from error

    def _delete_link(self, step: dict) -> None:
        account = AccountRef.from_json(step["account"])
        glue = aws.client("glue", account=account)
        label = f"Deleting resource link {step['database']}.{step['name']}"
        try:
            existing = call_with_retry(
                self.backoff,
                glue.get_table,
                CatalogId=account.account_id,
                DatabaseName=step["database"],
                Name=step["name"],
            )["Table"]
            if not _same_target(existing.get("TargetTable"), step["target_table"]):
                # Someone replaced the link with their own table: not ours to delete.
                logger.warning("%s skipped: it no longer links to the shared table", label)
                return
            call_with_retry(
                self.backoff,
                glue.delete_table,
                CatalogId=account.account_id,
                DatabaseName=step["database"],
                Name=step["name"],
            )
        except (ClientError, BotoCoreError) as error:
            if aws.error_code(error) == "EntityNotFoundException":
                return
            raise GrantError(
                explain(error, label=label, account_id=account.account_id),
                transient=is_transient(error),
            ) from error


def _same_target(found: dict | None, wanted: dict) -> bool:
    if not found:
        return False
    return (
        found.get("CatalogId") == wanted["CatalogId"]
        and found.get("DatabaseName") == wanted["DatabaseName"]
        and found.get("Name") == wanted["Name"]
    )


def _with_steps(target: dict, steps: list, principals) -> dict:
    updated = dict(target, steps=steps)
    if principals is not None:
        updated["principals"] = [p for p in target.get("principals", []) if p not in principals]
    if not any(step["type"] == "resource_link" for step in steps):
        updated["resource_link"] = None
    return updated


def step_key(step: dict) -> tuple:
    """(account, principal, resource) of a permission step, comparable with LF's answer."""
    return (
        step["account"]["account_id"],
        step["principal"],
        json.dumps(step["resource"], sort_keys=True),
    )
