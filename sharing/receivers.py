"""Receivers of the lower apps' signals (connected in SharingConfig.ready): they only
hand over to services, where the logic lives."""

from projects.models import Environment

from . import services


def on_subscription_approved(sender, *, subscription, **kwargs):
    services.grants_create_for_subscription(subscription=subscription)


def on_subscription_ended(sender, *, subscription, **kwargs):
    services.grants_end_for_subscription(
        subscription=subscription, acting_user=subscription.ended_by
    )


def on_environment_activated(sender, *, environment_id, **kwargs):
    services.grants_create_for_environment(environment_id=environment_id)


def on_environment_deleting(sender, *, environment_id, **kwargs):
    environment = Environment.objects.filter(pk=environment_id).first()
    if environment is not None:
        services.grants_revoke_for_environment(environment=environment)


def on_environment_grants_outstanding(sender, *, environment_id, **kwargs):
    """Truthy (the ids) while grants of the environment are not REVOKED: its deletion
    waits, so no role or database disappears under a Lake Formation permission."""
    return services.environment_grants_outstanding(environment_id=environment_id)
