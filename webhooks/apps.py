from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks: delivery of the portal's events"

    def ready(self):
        # The outbox (meshportal.events) says when a transaction recorded events; the
        # receivers enqueue their fan-out on commit (ARCHITECTURE.md: the one use of
        # signals). Connected here once the webhook and EventBridge modules exist.
        from . import receivers  # noqa: F401
