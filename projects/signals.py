"""Signals the projects app sends to apps that depend on it.

Lower apps may not import higher ones (projects ← glossary ← catalog ← subscriptions ←
sharing); this is how a higher app learns that something happened here. Receivers are
connected in the higher app's AppConfig.ready().
"""

from django.dispatch import Signal

# Sent (after commit) when an environment becomes ACTIVE. Keyword: environment_id.
# Sharing connects to it to create grants for the project's existing subscriptions.
environment_activated = Signal()
