"""Webhook endpoints and deliveries (endpoints.py), EventBridge targets (eventbridge.py)."""

from .endpoints import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = ["WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]
