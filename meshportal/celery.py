"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meshportal.settings")

app = Celery("meshportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _require_secret_key(**kwargs):
    """Stop a worker or beat that would run without a production SECRET_KEY.

    Celery logs and swallows exceptions of signal receivers, so this exits instead.
    """
    from django.core.exceptions import ImproperlyConfigured

    from meshportal.startup import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        raise SystemExit(f"ImproperlyConfigured: {error}") from error
