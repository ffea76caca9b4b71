"""Enumerations of the accounts app."""

from django.db import models


class TokenScope(models.TextChoices):
    """What a personal token may do: READ only reads (GET, HEAD, OPTIONS)."""

    READ = "READ", "Read-only"
    WRITE = "WRITE", "Read and write"
