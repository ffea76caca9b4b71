from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions: requests, decisions and their timeline"
    default_auto_field = "django.db.models.BigAutoField"
