"""/healthz: the database and the broker, reachable without signing in."""

import pytest
from django.test import Client

from meshportal.celery import app
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    """Send tasks through a broker (eager off); the test names the broker's URL."""
    saved = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def use(url: str):
        app.conf.broker_url = url

    yield use
    app.conf.broker_url = saved


def get_healthz():
    return Client().get("/healthz")  # anonymous: no session, no login


def test_eager_mode_is_healthy_without_a_broker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = get_healthz()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker"}
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["broker"]["status"] == "ok"
    assert body["checks"]["broker"]["mode"].startswith("eager")


def test_a_reachable_broker_is_healthy(broker, redis_url):
    broker(redis_url)

    response = get_healthz()

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "broker": {"status": "ok", "mode": "broker"}},
    }


def test_an_unreachable_broker_is_503_naming_the_broker(broker):
    broker(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    response = get_healthz()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["broker"]["error"]


def test_anonymous_visitors_get_the_check_not_the_sign_in_page():
    response = get_healthz()

    assert response.status_code == 200
    assert "Location" not in response
    assert "no-cache" in response["Cache-Control"]


def test_only_get_is_allowed():
    assert Client().post("/healthz").status_code == 405
