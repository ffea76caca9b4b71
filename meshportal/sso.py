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
        # People recognise each other by the IdP's preferred_username in member lists.
        # When a local account already has that name (a break-glass admin, a demo user),
        # the SSO user gets a numbered variant of it rather than allauth's fallback from
        # the first name, which could read like a group name.
        preferred = claims.get("preferred_username") or data.get("username")
        if preferred:
            from allauth.account.adapter import get_adapter as get_account_adapter
            from allauth.account.utils import user_username

            email = data.get("email") or ""
            user_username(
                user,
                get_account_adapter(request).generate_unique_username(
                    [preferred, email.split("@")[0], "user"]
                ),
            )
        return user
