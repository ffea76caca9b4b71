"""Production settings: no default secrets, and `check --deploy` is clean.

Each case runs in a fresh Python process with a controlled environment, as a server
would start. DATABASE_URL is set to a dummy value so that the embedded PostgreSQL is not
started: settings are read without connecting, and `check` (without --database) runs no
database checks.
"""

import os
import secrets
import subprocess
import sys

from tests.conftest import REPO

DUMMY_DATABASE_URL = "postgres://nobody:nothing@127.0.0.1:1/none"


def run(*args, **overrides) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_"))
        and key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CELERY_BROKER_URL",
            "TEST_WORKER_DATABASE_NAME",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
        }
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "meshportal.settings",
            "DEBUG": "false",
            "DATABASE_URL": DUMMY_DATABASE_URL,
            **overrides,
        }
    )
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def setup_django(**overrides) -> subprocess.CompletedProcess:
    """Load the WSGI application, as gunicorn does when a web server starts."""
    return run("-c", "import meshportal.wsgi; print('started')", **overrides)


def test_production_refuses_to_start_without_a_secret_key():
    result = setup_django()

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_celery_refuses_to_start_without_a_secret_key():
    result = run(
        "-c",
        "from celery.signals import worker_init; import meshportal; "
        "worker_init.send(sender=None); print('started')",
    )

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "SECRET_KEY is not set" in result.stderr


def test_maintenance_commands_run_without_a_secret_key():
    """makemigrations and check sign nothing, so they run on a build machine without it."""
    result = run("manage.py", "makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_production_refuses_a_short_secret_key():
    result = setup_django(SECRET_KEY="too-short-to-sign-anything")

    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_refuses_the_development_key():
    result = setup_django(SECRET_KEY="django-insecure-mesh-portal-development-only")

    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_production_starts_with_a_long_random_key():
    result = setup_django(SECRET_KEY=secrets.token_urlsafe(64))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_development_starts_without_a_secret_key():
    result = setup_django(DEBUG="true")

    assert result.returncode == 0, result.stderr


def check_deploy(**env):
    """``manage.py check --deploy`` (warnings fail) with production settings and ``env``."""
    return run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(64)[:64],
        ALLOWED_HOSTS="portal.example.com",
        **env,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_plain_http_cookies():
    """The check really runs: turning a production default off is reported."""
    result = check_deploy(SESSION_COOKIE_SECURE="false")

    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr
