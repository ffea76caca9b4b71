"""Webhook endpoints and deliveries (endpoints.py), EventBridge targets (eventbridge.py)."""

from .endpoints import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .eventbridge import EventBridgeDelivery, EventBridgeDeliveryStatus, EventBridgeTarget

__all__ = [
    "EventBridgeDelivery",
    "EventBridgeDeliveryStatus",
    "EventBridgeTarget",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
