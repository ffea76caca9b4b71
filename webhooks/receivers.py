"""Receivers of the outbox's ``events_committed`` signal (connected in apps.py)."""
