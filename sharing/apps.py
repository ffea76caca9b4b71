from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing: grants and the backends that fulfil them"
    default_auto_field = "django.db.models.BigAutoField"
