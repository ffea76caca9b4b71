"""Enumerations of the catalog app. Values are the API's upper-case names."""

from django.db import models

from meshportal.choices import with_colors


@with_colors({"GLUE": "lake", "REDSHIFT": "warehouse"})
class DataSourceType(models.TextChoices):
    GLUE = "GLUE", "AWS Glue"
    REDSHIFT = "REDSHIFT", "Amazon Redshift"


class FilterType(models.TextChoices):
    INCLUDE = "INCLUDE", "Include"
    EXCLUDE = "EXCLUDE", "Exclude"


@with_colors({"PRIORITIZED": "muted", "SCHEDULED": "primary"})
class RunType(models.TextChoices):
    PRIORITIZED = "PRIORITIZED", "On demand"
    SCHEDULED = "SCHEDULED", "Scheduled"


@with_colors(
    {
        "REQUESTED": "info",
        "RUNNING": "info",
        "SUCCESS": "success",
        "PARTIALLY_SUCCEEDED": "warning",
        "FAILED": "danger",
    }
)
class RunStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "Requested"
    RUNNING = "RUNNING", "Running"
    SUCCESS = "SUCCESS", "Success"
    PARTIALLY_SUCCEEDED = "PARTIALLY_SUCCEEDED", "Partially succeeded"
    FAILED = "FAILED", "Failed"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.REQUESTED, cls.RUNNING]


@with_colors(
    {
        "ACCESS_DENIED": "danger",
        "RESOURCE_NOT_FOUND": "danger",
        "THROTTLING": "warning",
        "VALIDATION": "danger",
        "INTERNAL": "danger",
    }
)
class RunErrorType(models.TextChoices):
    ACCESS_DENIED = "ACCESS_DENIED", "Access denied"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND", "Resource not found"
    THROTTLING = "THROTTLING", "Throttling"
    VALIDATION = "VALIDATION", "Validation"
    INTERNAL = "INTERNAL", "Internal"


@with_colors(
    {
        "SUCCEEDED_CREATED": "success",
        "SUCCEEDED_UPDATED": "primary",
        "UNCHANGED": "muted",
        "SKIPPED_ARCHIVED": "warning",
        "FAILED": "danger",
    }
)
class ActivityStatus(models.TextChoices):
    SUCCEEDED_CREATED = "SUCCEEDED_CREATED", "Created"
    SUCCEEDED_UPDATED = "SUCCEEDED_UPDATED", "Updated"
    UNCHANGED = "UNCHANGED", "Unchanged"
    SKIPPED_ARCHIVED = "SKIPPED_ARCHIVED", "Archived"
    FAILED = "FAILED", "Failed"


@with_colors(
    {
        "GLUE_TABLE": "lake",
        "GLUE_VIEW": "lake",
        "REDSHIFT_TABLE": "warehouse",
        "REDSHIFT_VIEW": "warehouse",
    }
)
class AssetType(models.TextChoices):
    GLUE_TABLE = "GLUE_TABLE", "Glue table"
    GLUE_VIEW = "GLUE_VIEW", "Glue view"
    REDSHIFT_TABLE = "REDSHIFT_TABLE", "Redshift table"
    REDSHIFT_VIEW = "REDSHIFT_VIEW", "Redshift view"


@with_colors({"IMPORT": "muted", "EDIT": "primary", "PREDICTION": "owner"})
class RevisionReason(models.TextChoices):
    IMPORT = "IMPORT", "Imported"
    EDIT = "EDIT", "Edited"
    # The stored value (and the API's) keeps the word the API has always used; pages say
    # "suggestion" (catalog.models.Suggestion).
    SUGGESTION = "PREDICTION", "Suggestion accepted"


class SuggestionKind(models.TextChoices):
    BUSINESS_NAME = "BUSINESS_NAME", "Business name"
    GLOSSARY_TERM = "GLOSSARY_TERM", "Glossary term"


@with_colors({"PROPOSED": "primary", "ACCEPTED": "success", "REJECTED": "muted"})
class SuggestionStatus(models.TextChoices):
    PROPOSED = "PROPOSED", "Proposed"
    ACCEPTED = "ACCEPTED", "Accepted"
    REJECTED = "REJECTED", "Rejected"


@with_colors({"ACTIVE": "success"})
class ListingStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
