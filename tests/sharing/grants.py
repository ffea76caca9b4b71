"""The approved subscription's grant, and states to put it in, for the tests of the
grants API and of the subscription page's Access section."""

from sharing.choices import GrantStatus
from sharing.models import SubscriptionGrant

# What a Lake Formation grant created: a resource link in the consumer's Glue database.
LAKE_FORMATION_TARGET = {
    "backend": "LAKE_FORMATION",
    "resource_link": {"catalog_id": "1", "database": "marketing_sub_db", "name": "film_category"},
    "steps": [],
}


def grant_of(subscription):
    """The subscription's grant, as the approval's receiver created it."""
    return SubscriptionGrant.objects.get(subscription=subscription)


def set_state(grant, **fields):
    """``grant`` with ``fields`` written straight to its row (no service, no events)."""
    SubscriptionGrant.objects.filter(pk=grant.pk).update(**fields)
    grant.refresh_from_db()
    return grant


def granted(grant):
    """``grant`` as a Lake Formation grant that succeeded."""
    return set_state(grant, status=GrantStatus.GRANTED, target=LAKE_FORMATION_TARGET)
