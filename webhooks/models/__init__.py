"""Webhook endpoints and deliveries (endpoints.py), EventBridge targets (eventbridge.py)."""

from .eventbridge import EventBridgeDelivery, EventBridgeDeliveryStatus, EventBridgeTarget

__all__ = ["EventBridgeDelivery", "EventBridgeDeliveryStatus", "EventBridgeTarget"]
