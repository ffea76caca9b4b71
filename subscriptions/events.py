"""Outbox events of the subscriptions app: ``subscription_request.*`` and
``subscription.*``, recorded by services.py next to the timeline lines.

Both sides may see them: the consumer project (``project_ids``) and the producing
project and its domain. The payload vocabulary is projects/events.py's.
"""

from meshportal.events import event_record
from projects.events import ref


def _moment(value):
    return value.isoformat() if value else None


def _username(user):
    return user.get_username() if user is not None else None


def _sides(listing, consumer_project) -> dict:
    return {
        "listing": ref(listing, revision=listing.revision),
        "asset": {"id": str(listing.asset_id), "name": listing.name},
        "consumer_project": ref(consumer_project),
        "producer_project": ref(listing.project),
        "domain": ref(listing.domain),
    }


def _record(event_type, *, payload, listing, consumer_project, actor):
    event_record(
        event_type,
        payload=payload,
        domain_id=listing.domain_id,
        project_ids=[consumer_project.pk, listing.project_id],
        actor=actor,
    )


def request_outbox_record(event_type, request, *, actor) -> None:
    """A ``subscription_request.*`` event for ``request`` as it is now (its listing with
    project and domain, and its project, loaded)."""
    payload = {
        "subscription_request": {
            "id": str(request.pk),
            "status": request.status,
            "reason": request.reason,
            "requester": _username(request.requester) if request.requester_id else None,
            "expires_at": _moment(request.expires_at),
            "decision_comment": request.decision_comment,
            "decided_at": _moment(request.decided_at),
        },
        **_sides(request.listing, request.project),
    }
    _record(
        event_type,
        payload=payload,
        listing=request.listing,
        consumer_project=request.project,
        actor=actor,
    )


def subscription_outbox_record(event_type, subscription, *, actor) -> None:
    """A ``subscription.*`` event for ``subscription`` as it is now."""
    payload = {
        "subscription": {
            "id": str(subscription.pk),
            "status": subscription.status,
            "listing_revision": subscription.listing_revision,
            "expires_at": _moment(subscription.expires_at),
            "ended_at": _moment(subscription.ended_at),
            "end_reason": subscription.end_reason,
        },
        "subscription_request": {"id": str(subscription.request_id)},
        **_sides(subscription.listing, subscription.project),
    }
    _record(
        event_type,
        payload=payload,
        listing=subscription.listing,
        consumer_project=subscription.project,
        actor=actor,
    )
