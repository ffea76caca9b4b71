"""The lockout counters live in a cache every process shares (issue 9): with the per-process
LocMem default, each gunicorn worker kept its own budget of wrong passwords."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from rest_framework.test import APIClient

from meshportal.settings import CACHE_TABLE, cache_settings
from tests.conftest import REPO

TOKEN_URL = "/api/v1/auth/token/"

# Another Python process with its own cache client: five wrong passwords for a user.
GUESSER = """
import sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(REMOTE_ADDR="10.7.7.7")
for _ in range(5):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": sys.argv[1], "password": "wrong"},
        content_type="application/json",
    )
    print(response.status_code)
"""


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def test_cache_url_wins_then_redis_url_then_the_database():
    url = cache_settings("redis://cache.example:6379/2", "redis://broker.example:6379/0")
    assert url["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert url["default"]["LOCATION"] == "redis://cache.example:6379/2"

    redis = cache_settings("", "redis://broker.example:6379/0")
    assert redis["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["default"]["LOCATION"] == "redis://broker.example:6379/0"
    assert redis["default"]["KEY_PREFIX"] == "meshportal"  # apart from Celery's keys

    database = cache_settings("", "")
    assert database["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        "KEY_PREFIX": "meshportal",
    }
    assert cache_settings("dbcache://other_table", "")["default"]["LOCATION"] == "other_table"


def test_the_default_install_uses_the_table_the_migration_created():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert CACHE_TABLE in connection.introspection.table_names()
    cache.set("probe", 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {CACHE_TABLE}")  # noqa: S608 (a constant)
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_in_another_process_lock_this_one_out(owner, password):
    """What gunicorn's workers do: one process takes the guesses, another answers next."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        TEST_WORKER_DATABASE_NAME=connection.settings_dict["NAME"],
    )
    guesses = subprocess.run(
        [sys.executable, "-c", GUESSER, owner.username],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert guesses.stdout.split() == ["400"] * 5
    # This process made no attempt of its own; the right password is refused all the same.
    locked = APIClient().post(
        TOKEN_URL, {"username": owner.username, "password": password}, REMOTE_ADDR="10.7.7.8"
    )
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0


def test_two_redis_clients_see_one_counter(redis_url):
    """With REDIS_URL set, every process's client reads the same counters."""
    config = cache_settings("", redis_url)["default"]
    params = {"KEY_PREFIX": config["KEY_PREFIX"]}
    first, second = RedisCache(config["LOCATION"], params), RedisCache(config["LOCATION"], params)
    key = f"login-failed-{os.getpid()}"
    try:
        first.set(key, 0)
        first.incr(key)
        second.incr(key)
        assert first.get(key) == second.get(key) == 2
    finally:
        first.delete(key)
