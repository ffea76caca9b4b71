"""Same-account Lake Formation grants, many at a time.

A grant in one account needs a resource link (one Glue call each: Glue has no batch
create for tables) and two permissions per role: SELECT and DESCRIBE on the table,
DESCRIBE on the link. The permissions of many grants go to Lake Formation together in
``BatchGrantPermissions`` calls of at most twenty entries (the API's limit per call), so a
batch of ten single-role grants costs eleven AWS calls instead of thirty; with AWS's
latency of a few tens of milliseconds a call, that is most of a grant's time.

Each grant keeps its own outcome: a batch call answers per entry (``Failures``), so one
refused table fails its own grant, with AWS's words, and the others go on. Entries
refused for a transient reason (throttling, a concurrent modification) are sent again
with backoff and jitter; a whole call that fails fails every grant it carried. Every
grant's ``target`` records exactly the steps AWS confirmed, as the one-grant path does,
so revoke and reconciliation treat both alike.
"""

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from meshportal import aws

from .base import TRANSIENT_CODES, AccountRef, GrantError, call_with_retry, is_transient
from .lakeformation import (
    LINK_PERMISSIONS,
    TABLE_PERMISSIONS,
    LakeFormationGrant,
    _Context,
    _Recorder,
    _table_resource,
    explain,
    explain_code,
)

# BatchGrantPermissions takes at most twenty entries a call.
ENTRIES_PER_CALL = 20
# Resource links are created this many at a time: each is a Glue call of its own, and
# they wait on AWS, not on this process (boto3 clients are thread-safe).
LINKS_AT_ONCE = 8


class _Entry(NamedTuple):
    """One permission a grant needs, and how to explain its failure."""

    record: _Recorder
    side: str  # "producer" (the table) or "consumer" (the link)
    account: AccountRef  # where the permission is granted: that side's account
    role: str
    resource: dict
    permissions: list
    label: str
    hint: str


def grant_many(backend, specs: list[LakeFormationGrant]) -> list:
    """Grant every spec (each of one account: producer and consumer the same); return,
    in the same order, each one's target or the GrantError that stopped it (its
    ``target`` lists what had been created)."""
    results: list = [None] * len(specs)
    records = [_Recorder(spec) for spec in specs]
    valid = []
    for index, spec in enumerate(specs):
        if spec.cross_account:
            raise ValueError("grant_many takes same-account grants only")
        try:
            spec.validate()
            valid.append(index)
        except GrantError as error:
            results[index] = error
    entries = []
    for index, made in zip(valid, _links(backend, specs, records, valid), strict=True):
        if isinstance(made, GrantError):
            results[index] = made
        else:
            entries += made
    _grant_entries(backend, entries, records, results)
    for index, record in enumerate(records):
        if isinstance(results[index], GrantError):
            results[index].target = record.target()
        else:
            results[index] = record.target()
    return results


def _links(backend, specs, records, indexes) -> list:
    """Each grant's permission entries (its link made), or the GrantError that stopped it;
    the Glue calls run side by side."""

    def one(index):
        try:
            return _link_and_entries(backend, specs[index], records[index])
        except GrantError as error:
            return error

    if len(indexes) < 2:
        return [one(index) for index in indexes]
    with ThreadPoolExecutor(max_workers=min(LINKS_AT_ONCE, len(indexes))) as pool:
        return list(pool.map(one, indexes))


def _link_and_entries(backend, spec: LakeFormationGrant, record: _Recorder) -> list:
    """Create (or reuse) the grant's resource link, then list the permissions it needs."""
    target_table = {"CatalogId": spec.catalog_id, "DatabaseName": spec.database, "Name": spec.table}
    name = backend._ensure_link(_Context(spec.consumer, backend.backoff), spec, target_table)
    record.resource_link(spec.consumer, spec.consumer_database, name, target_table)
    table = _table_resource(spec.catalog_id, spec.database, spec.table)
    link = _table_resource(spec.consumer.account_id, spec.consumer_database, name)
    entries = []
    for role in spec.principals:
        entries.append(
            _Entry(
                record,
                "producer",
                spec.producer,
                role,
                table,
                TABLE_PERMISSIONS,
                spec.table_grant_label(role),
                spec.missing_table_hint,
            )
        )
        entries.append(
            _Entry(
                record,
                "consumer",
                spec.consumer,
                role,
                link,
                LINK_PERMISSIONS,
                spec.link_grant_label(name, role),
                "",
            )
        )
    return entries


def _grant_entries(backend, entries: list, records: list, results: list):
    """Send the entries to their accounts twenty at a time (both sides of a same-account
    grant are usually one account, hence one call); an entry refused for a transient
    reason goes again after a backoff pause, up to the backoff's attempts."""
    failed_grant = {}  # id(record) → the first GrantError of that grant
    by_account = defaultdict(list)
    for entry in entries:
        by_account[entry.account].append(entry)
    for account, mine in by_account.items():
        context = _Context(account, backend.backoff)
        for start in range(0, len(mine), ENTRIES_PER_CALL):
            pending = mine[start : start + ENTRIES_PER_CALL]
            for attempt in range(backend.backoff.attempts):
                pending = [e for e in pending if id(e.record) not in failed_grant]
                if not pending:
                    break
                last = attempt == backend.backoff.attempts - 1
                retry = _send(context, pending, failed_grant, last=last)
                if not retry:
                    break
                backend.backoff.sleep(backend.backoff.delay(attempt))
                pending = retry
    for index, record in enumerate(records):
        if id(record) in failed_grant and results[index] is None:
            results[index] = failed_grant[id(record)]


def _send(context: _Context, entries: list, failed_grant: dict, *, last: bool) -> list:
    """One BatchGrantPermissions call; records each granted permission on its grant and
    returns the entries to send again (refused for a transient reason, unless ``last``)."""
    client = aws.client("lakeformation", account=context.account, region=context.account.region)
    account_id = context.account.account_id
    request = [
        {
            "Id": str(n),
            "Principal": {"DataLakePrincipalIdentifier": entry.role},
            "Resource": entry.resource,
            "Permissions": list(entry.permissions),
        }
        for n, entry in enumerate(entries)
    ]
    try:
        answer = call_with_retry(context.backoff, client.batch_grant_permissions, Entries=request)
    except (ClientError, BotoCoreError) as error:
        # The whole call was refused (after its own retries): so is each grant in it.
        for entry in entries:
            failed_grant.setdefault(
                id(entry.record),
                GrantError(
                    explain(error, label=entry.label, account_id=account_id, hint=entry.hint),
                    transient=is_transient(error),
                ),
            )
        return []
    refused = {
        failure.get("RequestEntry", {}).get("Id"): failure.get("Error", {})
        for failure in answer.get("Failures") or []
    }
    again = []
    for n, entry in enumerate(entries):
        error = refused.get(str(n))
        if error is None:
            entry.record.permission(
                entry.side, entry.account, entry.role, entry.resource, entry.permissions, []
            )
            continue
        code = error.get("ErrorCode", "")
        if code in TRANSIENT_CODES and not last:
            again.append(entry)
            continue
        failed_grant.setdefault(
            id(entry.record),
            GrantError(
                explain_code(
                    code,
                    error.get("ErrorMessage", ""),
                    label=entry.label,
                    account_id=account_id,
                    hint=entry.hint,
                ),
                transient=code in TRANSIENT_CODES,
            ),
        )
    return again
