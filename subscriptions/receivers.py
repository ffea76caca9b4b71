"""Receivers of the signals lower apps send (connected in SubscriptionsConfig.ready()).

The catalog may not import subscriptions, so it announces each publish; here a
republish that added or removed columns becomes a timeline line and an EVENT for each
subscriber project.
"""

from . import notifications as notify
from .choices import SubscriptionEventKind, SubscriptionStatus
from .models import Subscription
from .services import subscription_event_record

APPROVED = SubscriptionStatus.APPROVED


def on_listing_published(sender, *, listing, previous_columns, **kwargs) -> None:
    """A republish that added or removed columns tells each subscriber project (an EVENT
    and a timeline line); runs inside the publishing transaction."""
    if previous_columns is None:
        return
    current = [c["name"] for c in listing.snapshot.get("columns", [])]
    added = [name for name in current if name not in set(previous_columns)]
    removed = [name for name in previous_columns if name not in set(current)]
    if not added and not removed:
        return
    parts = []
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    message = f"“{listing.name}” was republished with changed columns: {'; '.join(parts)}."
    for subscription in Subscription.objects.filter(
        listing=listing, status=APPROVED
    ).select_related("project"):
        subscription_event_record(
            subscription=subscription,
            kind=SubscriptionEventKind.REPUBLISHED,
            message=message,
            data={"added": added, "removed": removed, "revision": listing.revision},
        )
        notify.notify(
            notify.project_member_users(subscription.project),
            kind="EVENT",
            topic="SUBSCRIPTION_LISTING_CHANGED",
            title=f"Columns changed in {listing.name}",
            body=message,
            link=notify.subscription_link(subscription),
            email=False,
        )
