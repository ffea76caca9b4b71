"""Writes of the accounts app: making and revoking personal API tokens."""

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from meshportal.exceptions import Conflict

from .choices import TokenScope
from .models import TOKEN_PREFIX, ApiToken, hash_key

TOKEN_MAX_DAYS = 366
TOKENS_PER_USER_MAX = 50


@transaction.atomic
def token_create(*, acting_user, name, scope=TokenScope.READ, expires_in_days=90):
    """Make a token for ``acting_user``; returns (token, key). The key is never stored
    and cannot be shown again."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Name the token after what uses it, e.g. “nightly export”."]
    elif len(name) > 64:
        errors["name"] = ["Use at most 64 characters."]
    scope = str(scope or "").upper()
    if scope not in TokenScope.values:
        errors["scope"] = ["Choose READ or WRITE."]
    try:
        days = int(expires_in_days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= TOKEN_MAX_DAYS:
        errors["expires_in_days"] = [f"Choose between 1 and {TOKEN_MAX_DAYS} days."]
    if errors:
        raise ValidationError(errors)
    active = ApiToken.objects.filter(user=acting_user, revoked_at__isnull=True)
    if active.filter(expires_at__gt=timezone.now()).count() >= TOKENS_PER_USER_MAX:
        raise ValidationError(
            {"name": [f"You have {TOKENS_PER_USER_MAX} tokens; revoke one you no longer use."]}
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=acting_user,
        name=name,
        key_hash=hash_key(key),
        key_start=key[:10],
        scope=scope,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, key


@transaction.atomic
def token_revoke(*, acting_user, token: ApiToken) -> ApiToken:
    """Revoke one of the user's tokens (compare-and-set: twice is a 409)."""
    if token.user_id != acting_user.pk:
        raise ValidationError("Not your token.")  # selectors never hand out others' tokens
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    ):
        raise Conflict("This token was already revoked.")
    token.revoked_at = now
    return token
