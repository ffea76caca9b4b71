"""`manage.py rebuild_search [--batch-size N]`: rebuild every listing's search document.

Publishing and glossary changes keep documents current on their own; run this after an
upgrade that changed how documents are built (the migration adding search leaves
existing listings without one), or to repair. Each batch is its own transaction, so the
catalog stays searchable while it runs.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from catalog.search import rebuild_listings


class Command(BaseCommand):
    help = "Rebuild the search documents of all listings, in batches (prints progress)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Listings per UPDATE and per transaction (default 500).",
        )

    def handle(self, *args, batch_size=500, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        started = time.monotonic()

        def progress(done, total):
            self.stdout.write(f"Rebuilt {done:,} of {total:,} listings")

        count = rebuild_listings(batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the search documents of {count:,} listing{'s' if count != 1 else ''} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
