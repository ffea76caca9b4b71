"""Choices of the webhooks app."""

from meshportal.choices import ChoiceSet


class DeliveryStatus(ChoiceSet):
    PENDING = "PENDING", "Pending", "warning"
    SENDING = "SENDING", "Sending", "info"
    RETRYING = "RETRYING", "Retrying", "warning"
    DELIVERED = "DELIVERED", "Delivered", "success"
    FAILED = "FAILED", "Failed", "danger"


# Deliveries a drain still has to send (SENDING included: a worker died mid-send).
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRYING)
