"""Writes of the subscriptions app.

Each service is ``<noun>_<verb>(*, acting_user, ...)``, runs in one transaction, checks
that the acting user may do it, and raises ValidationError (bad input, naming the field),
PermissionDenied (not allowed) or Conflict (the state has moved on). State moves by
compare-and-set, so two approvers deciding at once cannot both win.
"""

from .choices import SubscriptionEventKind
from .models import SubscriptionEvent

# --- The timeline -------------------------------------------------------------------------


def _actor(acting_user):
    return acting_user if acting_user is not None and acting_user.is_authenticated else None


def subscription_event_record(
    *, subscription, kind, acting_user=None, message: str = "", data=None
) -> SubscriptionEvent:
    """Add a line to a subscription's timeline (the one way other apps, sharing, do it).

    The line is also shown on the request page, so it carries the subscription's request.
    ``acting_user`` None is shown as "automatic".
    """
    if kind not in SubscriptionEventKind.values:
        raise ValueError(f"Unknown subscription event kind {kind!r}.")
    return SubscriptionEvent.objects.create(
        subscription=subscription,
        request_id=subscription.request_id,
        kind=kind,
        actor=_actor(acting_user),
        message=message or "",
        data=data or {},
    )
