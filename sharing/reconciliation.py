"""The portal's side of drift checking: which grants to compare, and what to do with
what the backend comparison found (timeline lines for re-grants, findings for the admin
page)."""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from projects.models import Environment

from . import events
from .backends import Drift, reconcile_lake_formation
from .choices import GrantBackend, GrantStatus
from .models import DriftFinding, EnvironmentRole, SubscriptionGrant


@dataclass
class Outcome:
    drift: Drift
    grants: int
    dry_run: bool

    def summary(self) -> dict:
        return {
            "grants": self.grants,
            "resources_checked": self.drift.resources_checked,
            "missing": len(self.drift.missing),
            "regranted": len(self.drift.regranted),
            "unexplained": len(self.drift.unexplained),
            "errors": [message for _account, message in self.drift.errors],
            "dry_run": self.dry_run,
        }


def _fingerprint(item: dict) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()


# A pass reads the GRANTED grants this many tables at a time, every grant of a table in
# the same read (a table's permissions are compared with all the grants that explain
# them): its memory follows the most subscribed table, not the number of grants.
TABLES_AT_ONCE = 200


def _granted():
    return SubscriptionGrant.objects.filter(
        backend=GrantBackend.LAKE_FORMATION, status=GrantStatus.GRANTED
    )


def _grant_chunks():
    """(pk, target) of the GRANTED Lake Formation grants, TABLES_AT_ONCE tables at a time
    (``lock_key`` names a grant's table), in the order of their tables."""
    after = None
    while True:
        tables = _granted().order_by("lock_key").values_list("lock_key", flat=True).distinct()
        if after is not None:
            tables = tables.filter(lock_key__gt=after)
        keys = list(tables[:TABLES_AT_ONCE])
        if not keys:
            return
        yield list(_granted().filter(lock_key__in=keys).values_list("pk", "target"))
        after = keys[-1]


def _step_principals() -> set:
    """Every principal the GRANTED grants' permission steps name (environment and extra
    roles, and the consumer accounts of cross-account grants), listed by the database:
    a permission of any of them that no grant explains is reported, whichever table's
    grants are being read."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT jsonb_path_query(
                       target, '$.steps[*] ? (@.type == "permission").principal') #>> '{{}}'
              FROM {SubscriptionGrant._meta.db_table}
             WHERE backend = %s AND status = %s
            """,  # noqa: S608 (the table name is the model's, not input)
            [GrantBackend.LAKE_FORMATION, GrantStatus.GRANTED],
        )
        return {principal for (principal,) in cursor.fetchall() if principal}


def reconcile(*, dry_run: bool = False) -> Outcome:
    """One pass: Lake Formation compared with the GRANTED grants, a chunk of tables at a
    time; missing permissions granted again (unless ``dry_run``) with a timeline line,
    unexplained ones kept as findings for the admin page."""
    managed = (
        set(Environment.objects.exclude(grant_role_arn="").values_list("grant_role_arn", flat=True))
        | set(EnvironmentRole.objects.values_list("role_arn", flat=True))
        | _step_principals()
    )
    drift, count = Drift(), 0
    for records in _grant_chunks():
        count += len(records)
        drift.add(reconcile_lake_formation(records, managed_principals=managed, repair=not dry_run))
    if dry_run:
        return Outcome(drift, count, dry_run)
    now = timezone.now()
    with transaction.atomic():
        regranted_ids = {key for key, _step in drift.regranted}
        grants = SubscriptionGrant.objects.filter(pk__in=regranted_ids).select_related(
            "subscription__listing", "subscription__project", "environment"
        )
        for grant in grants:
            steps = [step for key, step in drift.regranted if key == grant.pk]
            described = "; ".join(
                f"{', '.join(s['permissions'])} for {s['principal']}" for s in steps
            )
            events.record(
                grant,
                message=f"Reconciliation found permissions missing in Lake Formation and "
                f"granted them again: {described}.",
                status_changed=False,
            )
        seen = set()
        for item in drift.unexplained:
            fingerprint = _fingerprint(
                {k: item[k] for k in ("account_id", "principal", "resource")}
            )
            seen.add(fingerprint)
            updated = DriftFinding.objects.filter(fingerprint=fingerprint, resolved_at=None).update(
                last_seen_at=now, permissions=item["permissions"]
            )
            if not updated:
                DriftFinding.objects.create(
                    fingerprint=fingerprint,
                    account_id=item["account_id"],
                    principal=item["principal"],
                    resource=item["resource"],
                    permissions=item["permissions"],
                    last_seen_at=now,
                )
        if not drift.errors:
            DriftFinding.objects.filter(resolved_at=None).exclude(fingerprint__in=seen).update(
                resolved_at=now
            )
    return Outcome(drift, count, dry_run)
