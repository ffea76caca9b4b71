"""Exceptions services raise; the API and the pages translate them for people."""


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
