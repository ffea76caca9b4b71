"""EventBridge delivery of the outbox: configuration (services, selectors), the
fan-out and ``put_events`` (delivery), and the Celery tasks that run them."""
