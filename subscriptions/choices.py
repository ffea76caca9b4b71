"""Enumerations of the subscriptions app. Values are the API's upper-case names."""

from meshportal.choices import ChoiceSet


class SubscriptionRequestStatus(ChoiceSet):
    PENDING = "PENDING", "Pending", "warning"
    ACCEPTED = "ACCEPTED", "Accepted", "success"
    REJECTED = "REJECTED", "Rejected", "muted"
    CANCELLED = "CANCELLED", "Cancelled", "muted"


class SubscriptionStatus(ChoiceSet):
    APPROVED = "APPROVED", "Approved", "success"
    REVOKED = "REVOKED", "Revoked", "danger"
    CANCELLED = "CANCELLED", "Cancelled", "muted"


class SubscriptionEventKind(ChoiceSet):
    """A line of the timeline; GRANT is written by the sharing app for each grant change."""

    REQUESTED = "REQUESTED", "Requested", "info"
    ACCEPTED = "ACCEPTED", "Accepted", "success"
    REJECTED = "REJECTED", "Rejected", "muted"
    CANCELLED = "CANCELLED", "Cancelled", "muted"
    REVOKED = "REVOKED", "Revoked", "danger"
    EXPIRED = "EXPIRED", "Expired", "danger"
    EXPIRY_WARNING = "EXPIRY_WARNING", "Expiry warning", "warning"
    REPUBLISHED = "REPUBLISHED", "Republished", "info"
    GRANT = "GRANT", "Grant", "info"


class Direction(ChoiceSet):
    """Filters of the request list: requests to decide (incoming) or made (outgoing)."""

    INCOMING = "incoming", "Incoming"
    OUTGOING = "outgoing", "Outgoing"


class SubscriptionDirection(ChoiceSet):
    """Filters of the subscription list: what my projects consume or provide."""

    CONSUMED = "consumed", "Consumed"
    PROVIDED = "provided", "Provided"
