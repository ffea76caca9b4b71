from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing: grants and the backends that fulfil them"

    def ready(self):
        # Lower apps announce what sharing must act on (ARCHITECTURE.md: the one use of
        # signals); the receivers hand over to services.
        from projects.signals import (
            environment_activated,
            environment_deleting,
            environment_grants_outstanding,
        )
        from subscriptions.signals import subscription_approved, subscription_ended

        from . import receivers

        subscription_approved.connect(
            receivers.on_subscription_approved, dispatch_uid="sharing-approved"
        )
        subscription_ended.connect(receivers.on_subscription_ended, dispatch_uid="sharing-ended")
        environment_activated.connect(
            receivers.on_environment_activated, dispatch_uid="sharing-environment-activated"
        )
        environment_deleting.connect(
            receivers.on_environment_deleting, dispatch_uid="sharing-environment-deleting"
        )
        environment_grants_outstanding.connect(
            receivers.on_environment_grants_outstanding,
            dispatch_uid="sharing-environment-grants-outstanding",
        )
