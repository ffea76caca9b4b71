from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Domains, projects and environments"

    def ready(self):
        from . import sso  # noqa: F401  connects the SSO group sync to allauth's login signal
