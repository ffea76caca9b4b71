"""Signals the subscriptions app sends to apps above it (sharing).

Subscriptions may not import sharing; sharing connects receivers to these in its
AppConfig.ready(). Both are sent INSIDE the transaction that changes the subscription,
so a receiver's rows commit or roll back with it; receivers enqueue their tasks with
transaction.on_commit.
"""

from django.dispatch import Signal

# Keyword: subscription (status APPROVED). Sent inside the approving transaction.
subscription_approved = Signal()

# Keyword: subscription (status already REVOKED or CANCELLED). Sent inside the transaction
# that revokes, cancels or expires an APPROVED subscription.
subscription_ended = Signal()
