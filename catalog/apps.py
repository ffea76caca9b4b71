from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog: data sources, inventory and listings"
    default_auto_field = "django.db.models.BigAutoField"
