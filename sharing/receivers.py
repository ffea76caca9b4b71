"""Receivers of the lower apps' signals (connected in SharingConfig.ready): they only
hand over to services, where the logic lives."""

from . import services


def on_subscription_approved(sender, *, subscription, **kwargs):
    services.grants_create_for_subscription(subscription=subscription)


def on_subscription_ended(sender, *, subscription, **kwargs):
    services.grants_end_for_subscription(
        subscription=subscription, acting_user=subscription.ended_by
    )


def on_environment_activated(sender, *, environment_id, **kwargs):
    services.grants_create_for_environment(environment_id=environment_id)
