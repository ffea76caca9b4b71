"""Settings for the test suite: the real settings, with development defaults.

Tasks run eagerly unless a test starts a real worker (see the `celery_worker` fixture);
passwords hash fast; everything else — PostgreSQL, allauth, DRF — is the real thing.
"""

import os

os.environ.setdefault("DEBUG", "true")

from meshportal.settings import *  # noqa: E402,F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# A Celery worker started by the `celery_worker` fixture uses these settings too, pointed
# at the test database that pytest-django created (the test process tells it the name).
if os.environ.get("TEST_WORKER_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TEST_WORKER_DATABASE_NAME"]  # noqa: F405
    CELERY_TASK_ALWAYS_EAGER = False

# One test database per pytest process, so two runs on one machine (a developer's and an
# editor's, say) never drop each other's database.
if not os.environ.get("TEST_WORKER_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_meshportal_{os.getpid()}"}  # noqa: F405

# The database cache, whatever REDIS_URL or CACHE_URL the shell has: each pytest process
# then has its own counters (in its own test database), and a test's cache.clear() never
# flushes a Redis someone else uses.
CACHES = cache_settings("", "")  # noqa: F405
