"""Enumerations of the catalog app. Values are the API's upper-case names."""

from meshportal.choices import ChoiceSet


class DataSourceType(ChoiceSet):
    GLUE = "GLUE", "AWS Glue", "lake"
    REDSHIFT = "REDSHIFT", "Amazon Redshift", "warehouse"


class FilterType(ChoiceSet):
    INCLUDE = "INCLUDE", "Include"
    EXCLUDE = "EXCLUDE", "Exclude"


class RunType(ChoiceSet):
    PRIORITIZED = "PRIORITIZED", "On demand", "muted"
    SCHEDULED = "SCHEDULED", "Scheduled", "primary"


class RunStatus(ChoiceSet):
    REQUESTED = "REQUESTED", "Requested", "info"
    RUNNING = "RUNNING", "Running", "info"
    SUCCESS = "SUCCESS", "Success", "success"
    PARTIALLY_SUCCEEDED = "PARTIALLY_SUCCEEDED", "Partially succeeded", "warning"
    FAILED = "FAILED", "Failed", "danger"

    @classmethod
    def active(cls) -> list[str]:
        return [cls.REQUESTED, cls.RUNNING]


class RunErrorType(ChoiceSet):
    ACCESS_DENIED = "ACCESS_DENIED", "Access denied", "danger"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND", "Resource not found", "danger"
    THROTTLING = "THROTTLING", "Throttling", "warning"
    VALIDATION = "VALIDATION", "Validation", "danger"
    INTERNAL = "INTERNAL", "Internal", "danger"


class ActivityStatus(ChoiceSet):
    SUCCEEDED_CREATED = "SUCCEEDED_CREATED", "Created", "success"
    SUCCEEDED_UPDATED = "SUCCEEDED_UPDATED", "Updated", "primary"
    UNCHANGED = "UNCHANGED", "Unchanged", "muted"
    SKIPPED_ARCHIVED = "SKIPPED_ARCHIVED", "Archived", "warning"
    FAILED = "FAILED", "Failed", "danger"


class AssetType(ChoiceSet):
    GLUE_TABLE = "GLUE_TABLE", "Glue table", "lake"
    GLUE_VIEW = "GLUE_VIEW", "Glue view", "lake"
    REDSHIFT_TABLE = "REDSHIFT_TABLE", "Redshift table", "warehouse"
    REDSHIFT_VIEW = "REDSHIFT_VIEW", "Redshift view", "warehouse"


class RevisionReason(ChoiceSet):
    IMPORT = "IMPORT", "Imported", "muted"
    EDIT = "EDIT", "Edited", "primary"
    # The stored value (and the API's) keeps the word the API has always used; pages say
    # "suggestion" (catalog.models.Suggestion).
    SUGGESTION = "PREDICTION", "Suggestion accepted", "owner"


class SuggestionKind(ChoiceSet):
    BUSINESS_NAME = "BUSINESS_NAME", "Business name"
    GLOSSARY_TERM = "GLOSSARY_TERM", "Glossary term"


class SuggestionStatus(ChoiceSet):
    PROPOSED = "PROPOSED", "Proposed", "primary"
    ACCEPTED = "ACCEPTED", "Accepted", "success"
    REJECTED = "REJECTED", "Rejected", "muted"


class ListingStatus(ChoiceSet):
    ACTIVE = "ACTIVE", "Active", "success"
    INACTIVE = "INACTIVE", "Inactive"
