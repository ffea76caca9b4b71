"""Enumerations of the catalog app. Values are the API's upper-case names."""

from django.db import models


class DataSourceType(models.TextChoices):
    GLUE = "GLUE", "AWS Glue"
    REDSHIFT = "REDSHIFT", "Amazon Redshift"


class FilterType(models.TextChoices):
    INCLUDE = "INCLUDE", "Include"
    EXCLUDE = "EXCLUDE", "Exclude"


class RunType(models.TextChoices):
    PRIORITIZED = "PRIORITIZED", "On demand"
    SCHEDULED = "SCHEDULED", "Scheduled"


class RunStatus(models.TextChoices):
    REQUESTED = "REQUESTED", "Requested"
    RUNNING = "RUNNING", "Running"
    SUCCESS = "SUCCESS", "Success"
    PARTIALLY_SUCCEEDED = "PARTIALLY_SUCCEEDED", "Partially succeeded"
    FAILED = "FAILED", "Failed"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.REQUESTED, cls.RUNNING]


class RunErrorType(models.TextChoices):
    ACCESS_DENIED = "ACCESS_DENIED", "Access denied"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND", "Resource not found"
    THROTTLING = "THROTTLING", "Throttling"
    VALIDATION = "VALIDATION", "Validation"
    INTERNAL = "INTERNAL", "Internal"


class ActivityStatus(models.TextChoices):
    SUCCEEDED_CREATED = "SUCCEEDED_CREATED", "Created"
    SUCCEEDED_UPDATED = "SUCCEEDED_UPDATED", "Updated"
    UNCHANGED = "UNCHANGED", "Unchanged"
    SKIPPED_ARCHIVED = "SKIPPED_ARCHIVED", "Archived"
    FAILED = "FAILED", "Failed"


class AssetType(models.TextChoices):
    GLUE_TABLE = "GLUE_TABLE", "Glue table"
    GLUE_VIEW = "GLUE_VIEW", "Glue view"
    REDSHIFT_TABLE = "REDSHIFT_TABLE", "Redshift table"
    REDSHIFT_VIEW = "REDSHIFT_VIEW", "Redshift view"


class RevisionReason(models.TextChoices):
    IMPORT = "IMPORT", "Imported"
    EDIT = "EDIT", "Edited"
    PREDICTION = "PREDICTION", "Prediction accepted"


class PredictionKind(models.TextChoices):
    BUSINESS_NAME = "BUSINESS_NAME", "Business name"
    GLOSSARY_TERM = "GLOSSARY_TERM", "Glossary term"


class PredictionStatus(models.TextChoices):
    PROPOSED = "PROPOSED", "Proposed"
    ACCEPTED = "ACCEPTED", "Accepted"
    REJECTED = "REJECTED", "Rejected"


class ListingStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
