"""Background work of the subscriptions app (Celery beat runs it).

Each subscription is ended or warned by its own service call, which is compare-and-set:
two beats, or a retried message, cannot end or warn one twice.
"""

import datetime

from celery import shared_task
from django.utils import timezone

from .choices import SubscriptionStatus
from .models import Subscription
from .services import EXPIRY_WARNING_DAYS, subscription_expire, subscription_warn_expiry

BATCH = 500


@shared_task
def expire_subscriptions() -> dict:
    """End APPROVED subscriptions whose expiry passed; warn those ending within 7 days."""
    now = timezone.now()
    approved = Subscription.objects.filter(status=SubscriptionStatus.APPROVED)
    expired = warned = 0
    for pk in approved.filter(expires_at__lte=now).values_list("pk", flat=True)[:BATCH]:
        expired += subscription_expire(subscription_id=pk)
    soon = approved.filter(
        expiry_warned_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
    )
    for pk in soon.values_list("pk", flat=True)[:BATCH]:
        warned += subscription_warn_expiry(subscription_id=pk)
    return {"expired": expired, "warned": warned}
