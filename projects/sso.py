"""Keeps a user's SSO groups in step with the identity provider's `groups` claim."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from .services import user_sync_sso_groups


def groups_from_sociallogin(sociallogin) -> list[str] | None:
    """The `groups` claim of an OIDC login (userinfo first, then the ID token).

    None when the provider sent no such claim at all: then memberships are left alone
    rather than wiped, since an IdP that is not configured to send groups is not saying
    the user has none.
    """
    extra = sociallogin.account.extra_data or {}
    for source in (extra.get("userinfo") or {}, extra.get("id_token") or {}, extra):
        if isinstance(source, dict) and "groups" in source:
            return source["groups"] or []
    return None


@receiver(user_logged_in, dispatch_uid="projects.sync_sso_groups")
def sync_sso_groups_on_login(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is None:
        return  # a local account: groups are managed by a platform admin
    groups = groups_from_sociallogin(sociallogin)
    if groups is not None:
        user_sync_sso_groups(user=user, groups=groups)
