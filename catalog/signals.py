"""Signals the catalog sends to apps that depend on it (subscriptions).

Lower apps may not import higher ones; receivers connect in their AppConfig.ready().
"""

from django.dispatch import Signal

# Sent INSIDE the publishing transaction after a listing was written. Keywords: listing,
# previous_columns (the column names of the listing it replaced, or None for a first
# publish). Subscriptions tells subscriber projects which columns were added or removed.
listing_published = Signal()
