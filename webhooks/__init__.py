"""Delivery of outbox events (meshportal.events): signed webhooks, the feed, EventBridge."""
