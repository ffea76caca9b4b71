"""Races, with real concurrent transactions on PostgreSQL (one connection per thread)."""

import threading

import pytest
from django.db import connection

from meshportal.exceptions import Conflict
from subscriptions import services
from subscriptions.models import Subscription, SubscriptionEvent, SubscriptionRequest

from .conftest import REASON

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*calls):
    """Run the calls in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects what each call raised
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_approvers_at_once_one_wins_the_other_gets_409(
    listing, consumer_project, consumer, owner, steward
):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    results = _at_once(
        lambda: services.subscription_request_accept(
            acting_user=owner, request=request, decision_comment="yes"
        ),
        lambda: services.subscription_request_reject(
            acting_user=steward, request=request, decision_comment="no"
        ),
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(conflicts) == 1 and len(winners) == 1, results
    request.refresh_from_db()
    assert request.status in ("ACCEPTED", "REJECTED")
    assert Subscription.objects.count() == (1 if request.status == "ACCEPTED" else 0)
    decisions = SubscriptionEvent.objects.filter(kind__in=["ACCEPTED", "REJECTED"])
    assert decisions.count() == 1


def test_two_approvers_accepting_at_once_make_one_subscription(
    listing, consumer_project, consumer, owner, steward
):
    request, _ = services.subscription_request_create(
        acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
    )
    results = _at_once(
        lambda: services.subscription_request_accept(acting_user=owner, request=request),
        lambda: services.subscription_request_accept(acting_user=steward, request=request),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Subscription"]
    assert Subscription.objects.count() == 1


def test_double_submit_makes_one_request(listing, consumer_project, consumer, owner):
    def submit():
        return services.subscription_request_create(
            acting_user=consumer, listing=listing, project=consumer_project, reason=REASON
        )

    results = _at_once(submit, submit, submit)
    assert not any(isinstance(r, Exception) for r in results), results
    assert len({request.pk for request, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, True]
    assert SubscriptionRequest.objects.count() == 1
    assert SubscriptionEvent.objects.filter(kind="REQUESTED").count() == 1
