"""Reads of the accounts app: a person sees their own tokens only."""

from django.shortcuts import get_object_or_404

from .models import ApiToken


def token_list(*, user):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def token_get(*, user, pk) -> ApiToken:
    return get_object_or_404(token_list(user=user), pk=pk)
