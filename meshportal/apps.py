from django.apps import AppConfig


class MeshPortalConfig(AppConfig):
    name = "meshportal"
    verbose_name = "Mesh Portal"
