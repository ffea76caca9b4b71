"""An environment being deleted first loses its grants (the deletion flow calls this)."""

import pytest

from sharing import services
from sharing.choices import GrantStatus
from sharing.models import SubscriptionGrant
from tests.sharing.conftest import PRODUCER, table_permissions

pytestmark = pytest.mark.django_db(transaction=True)


def test_deleting_an_environment_revokes_its_grants_first(
    lake, listing, consumer_project, consumer_environment, approve, consumer
):
    subscription = approve(listing, consumer_project)
    assert SubscriptionGrant.objects.get(subscription=subscription).status == GrantStatus.GRANTED

    services.grants_revoke_for_environment(environment=consumer_environment, acting_user=consumer)

    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert services.environment_grants_outstanding(environment_id=consumer_environment.pk) == []
    lf = lake.client("lakeformation")
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film_category") == {}
    messages = list(subscription.events.order_by("created_at").values_list("message", flat=True))
    assert any("Marketing Lake is being deleted" in m for m in messages)
    assert "was taken away" in messages[-1]


def test_deleting_an_environment_through_projects_revokes_then_deprovisions(
    lake, listing, consumer_project, consumer_environment, approve, consumer
):
    """The deletion flow end to end: projects' signals reach sharing, the revoke runs
    before the deprovisioning, and the environment ends DELETED with no permission left."""
    from projects import services as project_services
    from projects.choices import EnvironmentStatus

    subscription = approve(listing, consumer_project)
    assert SubscriptionGrant.objects.get(subscription=subscription).status == GrantStatus.GRANTED
    consumer_project.memberships.filter(user=consumer).update(designation="OWNER")

    project_services.environment_delete(acting_user=consumer, environment=consumer_environment)

    consumer_environment.refresh_from_db()
    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.REVOKED, grant.failure_cause
    assert consumer_environment.status == EnvironmentStatus.DELETED, consumer_environment.last_error
    lf = lake.client("lakeformation")
    assert table_permissions(lf, PRODUCER, "curatedzonedb", "film_category") == {}


def test_a_grant_that_keeps_stopping_its_worker_is_failed_by_the_sweep(
    lake, listing, consumer_project, consumer_environment, approve, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from sharing import maintenance

    subscription = approve(listing, consumer_project)
    SubscriptionGrant.objects.filter(subscription=subscription).update(
        status=GrantStatus.IN_PROGRESS,
        attempts=settings.SHARING_MAX_ATTEMPTS,
        started_at=timezone.now() - timedelta(hours=1),
    )

    maintenance.sweep_stuck()

    grant = SubscriptionGrant.objects.get(subscription=subscription)
    assert grant.status == GrantStatus.GRANT_FAILED
    assert "worker stopped" in grant.failure_cause
