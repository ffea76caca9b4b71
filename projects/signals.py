"""Signals the projects app sends to apps that depend on it.

Lower apps may not import higher ones (projects ← glossary ← catalog ← subscriptions ←
sharing); this is how a higher app learns that something happened here. Receivers are
connected in the higher app's AppConfig.ready().
"""

from django.dispatch import Signal

# Sent (after commit) when an environment becomes ACTIVE. Keyword: environment_id.
# Sharing connects to it to create grants for the project's existing subscriptions.
environment_activated = Signal()

# Sent INSIDE the transaction that moves an environment to DELETING (from ACTIVE,
# CREATE_FAILED or DELETE_FAILED), before the deletion task is enqueued on commit.
# Keyword: environment_id. Sharing connects to it to move the environment's grants to
# REVOKE_PENDING and enqueue their revokes (on commit), so that the status change and
# the revokes it implies commit or roll back together. A receiver that raises aborts the
# deletion request. Sent again on every retry of a failed deletion, so grants whose revoke
# failed are revoked again.
environment_deleting = Signal()

# Sent by the deletion task before it removes anything from AWS. Keyword: environment_id.
# A receiver answers whether grants of that environment are still being revoked: any
# truthy response (True, a count, a list of grant ids) means "not yet", and the task
# re-schedules itself with a countdown (ENVIRONMENT_DELETION_RECHECK_SECONDS) instead of
# deprovisioning; once every receiver answers falsy it proceeds. With no receivers
# connected (no sharing app) it proceeds at once. Waiting is bounded by
# ENVIRONMENT_PROVISIONING_TIMEOUT: past it the deletion fails (DELETE_FAILED) saying
# which grants to look at, and the owner retries.
environment_grants_outstanding = Signal()
