"""Enumerations of the projects app. Values are the API's upper-case names."""

from meshportal.choices import ChoiceSet


class DomainRole(ChoiceSet):
    OWNER = "OWNER", "Owner", "owner"
    STEWARD = "STEWARD", "Steward", "owner"


class Designation(ChoiceSet):
    """A member's designation in a project; higher designations include the lower ones."""

    OWNER = "OWNER", "Owner", "owner"
    CONTRIBUTOR = "CONTRIBUTOR", "Contributor", "primary"
    VIEWER = "VIEWER", "Viewer", "muted"

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


class Blueprint(ChoiceSet):
    DATA_LAKE = "DATA_LAKE", "Data lake (Glue, S3, Athena, Lake Formation)", "lake"
    DATA_WAREHOUSE = "DATA_WAREHOUSE", "Data warehouse (Amazon Redshift)", "warehouse"


class EnvironmentStatus(ChoiceSet):
    CREATING = "CREATING", "Creating", "info"
    ACTIVE = "ACTIVE", "Active", "success"
    CREATE_FAILED = "CREATE_FAILED", "Create failed", "danger"
    DELETING = "DELETING", "Deleting", "warning"
    DELETE_FAILED = "DELETE_FAILED", "Delete failed", "danger"
    DELETED = "DELETED", "Deleted", "muted"


class NotificationKind(ChoiceSet):
    TASK = "TASK", "Task", "warning"
    EVENT = "EVENT", "Event", "muted"


class TaskStatus(ChoiceSet):
    ACTIVE = "ACTIVE", "Open"
    INACTIVE = "INACTIVE", "Done"


class CheckStatus(ChoiceSet):
    """The outcome of one call of an AWS account's access check."""

    OK = "OK", "Works", "success"
    WARNING = "WARNING", "Needs attention", "warning"
    FAILED = "FAILED", "Failed", "danger"
    SKIPPED = "SKIPPED", "Not tried", "muted"
