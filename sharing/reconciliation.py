"""The portal's side of drift checking: which grants to compare, and what to do with
what the backend comparison found (timeline lines for re-grants, findings for the admin
page)."""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
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


def reconcile(*, dry_run: bool = False) -> Outcome:
    records = list(
        SubscriptionGrant.objects.filter(
            backend=GrantBackend.LAKE_FORMATION, status=GrantStatus.GRANTED
        ).values_list("pk", "target")
    )
    managed = set(
        Environment.objects.exclude(grant_role_arn="").values_list("grant_role_arn", flat=True)
    ) | set(EnvironmentRole.objects.values_list("role_arn", flat=True))
    drift = reconcile_lake_formation(records, managed_principals=managed, repair=not dry_run)
    if dry_run:
        return Outcome(drift, len(records), dry_run)
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
    return Outcome(drift, len(records), dry_run)
