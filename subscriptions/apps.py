from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions: requests, decisions and their timeline"

    def ready(self):
        # The catalog (below us) announces each publish; a republish with changed columns
        # tells the listing's subscriber projects, in the publishing transaction.
        from catalog.signals import listing_published

        from .receivers import on_listing_published

        listing_published.connect(on_listing_published, dispatch_uid="subscriptions-republish")
