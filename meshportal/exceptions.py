"""Exceptions services raise; the API and the pages translate them for people."""

from django.core.exceptions import ValidationError


class Conflict(Exception):
    """A state change that no longer applies (e.g. retrying an environment that is not
    CREATE_FAILED). The API answers 409; pages show the message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Incomplete(Exception):
    """Something cannot be done until the listed items are supplied (e.g. publishing an
    asset the domain's rules find incomplete). The API answers 400 with ``missing``."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.message = message
        self.missing = missing


def _error_lines(value, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [
            line for key, inner in value.items() for line in _error_lines(inner, f"{prefix}{key}: ")
        ]
    if isinstance(value, (list, tuple)):
        return [line for inner in value for line in _error_lines(inner, prefix)]
    return [f"{prefix}{value}"]


class NestedValidationError(ValidationError):
    """Field errors nested deeper than Django's ValidationError can hold, such as
    ``{"forms": {"Data owner": {"Last audit date": ["Enter a valid date."]}}}``.

    ``nested`` keeps the structure (the API answers it as it is); as a ValidationError it
    carries one readable line per reason under each top-level key ("Data owner: Last
    audit date: Enter a valid date."), so code that reads ``message_dict`` shows them all.
    """

    def __init__(self, nested: dict):
        self.nested = nested
        super().__init__({key: _error_lines(value) for key, value in nested.items()})
