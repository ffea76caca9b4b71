"""Webhook endpoints and deliveries (endpoints.py), EventBridge targets (eventbridge.py)."""
