"""Enumerations of the accounts app."""

from meshportal.choices import ChoiceSet


class TokenScope(ChoiceSet):
    """What a personal token may do: READ only reads (GET, HEAD, OPTIONS)."""

    READ = "READ", "Read-only"
    WRITE = "WRITE", "Read and write"
