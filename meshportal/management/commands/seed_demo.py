"""`manage.py seed_demo`: seed the film-catalog scenario (safe to run again)."""

import os

from django.core.management.base import BaseCommand, CommandError

from meshportal import demo


class Command(BaseCommand):
    help = (
        "Seed the reference scenario: the curated zone in AWS (S3, Glue curatedzonedb, Lake "
        "Formation registrations; through AWS_ENDPOINT_URL, i.e. moto) and the portal's "
        "domain, account, profile and demo users. Running it again creates nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-aws",
            action="store_true",
            help="Seed only the portal's database, not the AWS side.",
        )

    def handle(self, *args, skip_aws=False, **options):
        if not skip_aws and not os.environ.get("AWS_ENDPOINT_URL"):
            # The scenario's buckets and tables belong in a stand-in, never in whatever
            # real account the ambient credentials happen to reach.
            raise CommandError(
                "AWS_ENDPOINT_URL is not set: the demo seeds a stand-in AWS (moto), not a real "
                "account. Point AWS_ENDPOINT_URL at a moto server (`manage.py demo` starts "
                "one), or pass --skip-aws to seed only the portal."
            )
        report, password = demo.seed(aws_side=not skip_aws)
        print_report(self, report, verbosity=options.get("verbosity", 1))
        self.stdout.write(
            f"Demo users: {', '.join(name for name, _, _ in demo.DEMO_USERS)}; "
            f"password: {password.value} ({password.source})"
        )


def print_report(command, report, *, verbosity: int = 1) -> None:
    """One line per created object, a count of the ones that were there, and notes."""
    for what in report.created:
        command.stdout.write(f"  created {what}")
    if verbosity > 1:
        for what in report.existing:
            command.stdout.write(f"  exists  {what}")
    if report.existing:
        command.stdout.write(f"  {len(report.existing)} object(s) were already there")
    for note in report.notes:
        command.stdout.write(command.style.WARNING(f"  note: {note}"))
