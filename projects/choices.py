"""Enumerations of the projects app. Values are the API's upper-case names."""

from django.db import models

from meshportal.choices import with_colors


@with_colors({"OWNER": "owner", "STEWARD": "owner"})
class DomainRole(models.TextChoices):
    OWNER = "OWNER", "Owner"
    STEWARD = "STEWARD", "Steward"


@with_colors({"OWNER": "owner", "CONTRIBUTOR": "primary", "VIEWER": "muted"})
class Designation(models.TextChoices):
    """A member's designation in a project; higher designations include the lower ones."""

    OWNER = "OWNER", "Owner"
    CONTRIBUTOR = "CONTRIBUTOR", "Contributor"
    VIEWER = "VIEWER", "Viewer"

    @property
    def rank(self) -> int:
        return {"VIEWER": 1, "CONTRIBUTOR": 2, "OWNER": 3}[self.value]

    @property
    def can_edit(self) -> bool:
        """Create environments and data sources, edit assets, publish, subscribe."""
        return self.rank >= 2

    @property
    def can_manage_members(self) -> bool:
        """Add, change and remove members; decide subscription requests."""
        return self.rank >= 3


@with_colors({"DATA_LAKE": "lake", "DATA_WAREHOUSE": "warehouse"})
class Blueprint(models.TextChoices):
    DATA_LAKE = "DATA_LAKE", "Data lake (Glue, S3, Athena, Lake Formation)"
    DATA_WAREHOUSE = "DATA_WAREHOUSE", "Data warehouse (Amazon Redshift)"


@with_colors(
    {
        "CREATING": "info",
        "ACTIVE": "success",
        "CREATE_FAILED": "danger",
        "DELETING": "warning",
        "DELETE_FAILED": "danger",
        "DELETED": "muted",
    }
)
class EnvironmentStatus(models.TextChoices):
    CREATING = "CREATING", "Creating"
    ACTIVE = "ACTIVE", "Active"
    CREATE_FAILED = "CREATE_FAILED", "Create failed"
    DELETING = "DELETING", "Deleting"
    DELETE_FAILED = "DELETE_FAILED", "Delete failed"
    DELETED = "DELETED", "Deleted"


@with_colors({"TASK": "warning", "EVENT": "muted"})
class NotificationKind(models.TextChoices):
    TASK = "TASK", "Task"
    EVENT = "EVENT", "Event"


class TaskStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Open"
    INACTIVE = "INACTIVE", "Done"


@with_colors({"OK": "success", "WARNING": "warning", "FAILED": "danger", "SKIPPED": "muted"})
class CheckStatus(models.TextChoices):
    """The outcome of one call of an AWS account's access check."""

    OK = "OK", "Works"
    WARNING = "WARNING", "Needs attention"
    FAILED = "FAILED", "Failed"
    SKIPPED = "SKIPPED", "Not tried"
