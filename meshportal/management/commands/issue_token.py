"""`manage.py issue_token <username> [--rotate]`: an API token for a user.

SSO users have no password, so they cannot POST to /api/v1/auth/token/; a platform
admin issues their token here.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print a user's API token, creating it if missing (--rotate replaces it)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Replace the existing token; clients using the old one stop working.",
        )

    @transaction.atomic
    def handle(self, *args, username, rotate=False, **options):
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(
                f"No user named '{username}'. SSO users appear after their first sign-in; "
                "local users are created in Django admin."
            )
        if rotate:
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
