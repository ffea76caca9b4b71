"""Drift between what Lake Formation says and what the portal recorded.

Someone with admin rights can revoke a permission in the console, or grant one by hand
to a role the portal manages. Reconciliation reads Lake Formation's permissions on every
table the portal has shared, re-grants what a GRANTED grant recorded but is missing, and
reports (never removes) a permission on such a table for a portal-managed principal that
no grant explains: taking away what a person granted on purpose is not the portal's call.
"""

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .base import AccountRef, Backoff, GrantError
from .lakeformation import _Context, step_key

logger = logging.getLogger(__name__)

# Lake Formation permission reads in flight at once during a pass.
READS_AT_ONCE = 8


@dataclass
class Drift:
    """What one reconciliation pass found (and, unless dry run, repaired)."""

    missing: list = field(default_factory=list)  # (grant key, step) recorded, absent in LF
    regranted: list = field(default_factory=list)  # (grant key, step) granted again
    unexplained: list = field(default_factory=list)  # LF permissions no grant explains
    errors: list = field(default_factory=list)  # (account id, message) LF could not be read
    resources_checked: int = 0

    def add(self, other: "Drift") -> None:
        """Take in what a pass over another chunk of grants found."""
        self.missing += other.missing
        self.regranted += other.regranted
        self.unexplained += other.unexplained
        self.errors += other.errors
        self.resources_checked += other.resources_checked


def _list_permissions(context: _Context, resource: dict) -> list[dict]:
    found, token = [], None
    while True:
        kwargs = {"Resource": resource}
        if token:
            kwargs["NextToken"] = token
        page = context.call(
            "lakeformation", "list_permissions", "Reading Lake Formation permissions", **kwargs
        )
        found.extend(page.get("PrincipalResourcePermissions", []))
        token = page.get("NextToken")
        if not token:
            return found


def reconcile_lake_formation(
    records, *, managed_principals=(), repair: bool = True, backoff: Backoff | None = None
) -> Drift:
    """Compare ``records`` — (key, target) pairs of GRANTED Lake Formation grants — with
    Lake Formation, once per (account, resource) however many grants share it.

    ``managed_principals`` are the roles the portal manages (environment roles and their
    extra roles) besides those already in the records; a permission of one of them on a
    shared table that no record explains is reported.
    """
    backoff = backoff or Backoff()
    drift = Drift()
    expected: dict[tuple, list] = {}  # (account, resource json) -> [(key, step)]
    accounts: dict[str, AccountRef] = {}
    principals = set(managed_principals)
    for key, target in records:
        for step in (target or {}).get("steps", []):
            if step["type"] != "permission":
                continue
            account = AccountRef.from_json(step["account"])
            accounts[account.account_id] = account
            resource = json.dumps(step["resource"], sort_keys=True)
            expected.setdefault((account.account_id, resource), []).append((key, step))
            principals.add(step["principal"])
    explained = {step_key(step): step for pairs in expected.values() for _key, step in pairs}

    def read(shared):
        account_id, resource_json = shared
        try:
            return _list_permissions(
                _Context(accounts[account_id], backoff), json.loads(resource_json)
            )
        except GrantError as error:
            return error

    # Two resources a grant, each a round trip to AWS: read side by side, a pass over ten
    # thousand grants takes minutes, not the better part of the interval between passes.
    # Answers are taken in order as they come; re-grants stay on this thread.
    with ThreadPoolExecutor(max_workers=READS_AT_ONCE) as readers:
        for ((account_id, resource_json), pairs), actual in zip(
            expected.items(), readers.map(read, expected), strict=True
        ):
            if isinstance(actual, GrantError):
                drift.errors.append((account_id, actual.message))
                continue
            context = _Context(accounts[account_id], backoff)
            _check(drift, context, resource_json, pairs, actual, principals, explained, repair)
    return drift


def _check(drift, context, resource_json, pairs, actual, principals, explained, repair) -> None:
    """One shared resource: its recorded permissions that Lake Formation lacks (granted
    again unless a dry run) and the managed principals' permissions no record explains."""
    account_id = context.account.account_id
    drift.resources_checked += 1
    held: dict[str, set] = {}
    for entry in actual:
        principal = entry["Principal"]["DataLakePrincipalIdentifier"]
        held.setdefault(principal, set()).update(entry.get("Permissions", []))
        key = (account_id, principal, resource_json)
        if principal in principals and key not in explained:
            drift.unexplained.append(
                {
                    "account_id": account_id,
                    "principal": principal,
                    "resource": json.loads(resource_json),
                    "permissions": sorted(entry.get("Permissions", [])),
                }
            )
    for key, step in pairs:
        if set(step["permissions"]) <= held.get(step["principal"], set()):
            continue
        drift.missing.append((key, step))
        if not repair:
            continue
        kwargs = {
            "Principal": {"DataLakePrincipalIdentifier": step["principal"]},
            "Resource": step["resource"],
            "Permissions": step["permissions"],
        }
        if step["grantable"]:
            kwargs["PermissionsWithGrantOption"] = step["grantable"]
        try:
            context.call("lakeformation", "grant_permissions", "Re-granting", **kwargs)
        except GrantError as error:
            drift.errors.append((account_id, error.message))
            continue
        drift.regranted.append((key, step))
