"""The navigation's Subscriptions counts, read only when a page shows them."""

from django.utils.functional import SimpleLazyObject


def subscription_counts(request):
    user = getattr(request, "user", None)

    def counts():
        from .selectors import subscription_counts as read

        return read(user=user) if user is not None else {}

    return {"subscription_counts": SimpleLazyObject(counts)}
