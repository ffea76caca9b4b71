"""Template context every page needs (the navigation bar's badges and SSO config)."""

from django.conf import settings


def portal(request):
    from projects.selectors import unread_notification_count

    user = getattr(request, "user", None)
    return {
        "unread_notification_count": unread_notification_count(user=user) if user else 0,
        "sso_enabled": bool(settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]),
        "sso_provider_name": settings.OIDC_PROVIDER_NAME,
        "sso_provider_id": settings.OIDC_PROVIDER_ID,
        # No broker: tasks run inside the request and beat never fires. Pages that
        # show progress or schedules say so instead of promising what will not happen.
        "background_inline": settings.CELERY_TASK_ALWAYS_EAGER,
    }
