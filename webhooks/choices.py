"""Choices of the webhooks app."""

from django.db import models

from meshportal.choices import with_colors


@with_colors(
    {
        "PENDING": "warning",
        "SENDING": "info",
        "RETRYING": "warning",
        "DELIVERED": "success",
        "FAILED": "danger",
    }
)
class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    SENDING = "SENDING", "Sending"
    RETRYING = "RETRYING", "Retrying"
    DELIVERED = "DELIVERED", "Delivered"
    FAILED = "FAILED", "Failed"


# Deliveries a drain still has to send (SENDING included: a worker died mid-send).
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRYING)
