"""Compare Lake Formation with the GRANTED grants now (the beat task does it every
SHARING_RECONCILE_INTERVAL seconds)."""

from django.core.management.base import BaseCommand

from sharing.reconciliation import reconcile


class Command(BaseCommand):
    help = (
        "Re-grant Lake Formation permissions missing for GRANTED grants; report unexplained ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report only; grant nothing, record nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        outcome = reconcile(dry_run=dry_run)
        summary = outcome.summary()
        self.stdout.write(
            f"Checked {summary['grants']} grants ({summary['resources_checked']} Lake Formation "
            f"resources): {summary['missing']} missing permission(s), "
            f"{summary['regranted']} re-granted, {summary['unexplained']} unexplained."
        )
        for key, step in outcome.drift.missing:
            verb = "would re-grant" if dry_run else "missing"
            table = step["resource"]["Table"]
            self.stdout.write(
                f"  {verb}: grant {key}: {', '.join(step['permissions'])} on "
                f"{table['DatabaseName']}.{table['Name']} for {step['principal']}"
            )
        for item in outcome.drift.unexplained:
            table = item["resource"].get("Table", {})
            self.stdout.write(
                f"  unexplained: {', '.join(item['permissions'])} on "
                f"{table.get('DatabaseName')}.{table.get('Name')} for {item['principal']}"
            )
        for message in summary["errors"]:
            self.stderr.write(f"  error: {message}")
