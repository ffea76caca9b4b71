"""allauth adapters: who may sign up, and how SSO users are provisioned."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


class LocalAccountAdapter(DefaultAccountAdapter):
    """Local accounts exist for the demo and break-glass admins only.

    Nobody signs themselves up with a password: a platform admin creates local accounts
    in Django admin; everyone else signs in with the company's SSO.
    """

    def is_open_for_signup(self, request):
        return False


class SsoAccountAdapter(DefaultSocialAccountAdapter):
    """SSO users are created on their first login, from the ID token's claims."""

    def is_open_for_signup(self, request, sociallogin):
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = (sociallogin.account.extra_data or {}).get("userinfo") or {}
        # Prefer the IdP's preferred_username so people recognise each other in the
        # member lists; allauth makes it unique if it clashes with a local account.
        preferred = claims.get("preferred_username")
        if preferred and not user.username:
            user.username = preferred
        return user
