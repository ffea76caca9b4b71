"""Fixtures for webhooks: a real HTTP receiver on loopback that checks Standard Webhooks
signatures, and real Celery workers on Redis that a test may start, kill and restart."""

import base64
import hashlib
import hmac
import json
import os
import signal
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import stop_process
from tests.sharing.conftest import (  # noqa: F401 — the sharing fixtures, for grant flows
    approve,
    consumer_environment,
    lake,
    listing,
    producer_environment,
)


def verify(secrets, headers, body: bytes) -> bool:
    """A receiver's check, written from the Standard Webhooks spec (not the portal's code)."""
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = {
        base64.b64encode(
            hmac.new(base64.b64decode(s.removeprefix("whsec_")), signed, hashlib.sha256).digest()
        ).decode()
        for s in secrets
    }
    for part in headers.get("webhook-signature", "").split(" "):
        version, _, value = part.partition(",")
        if version == "v1" and any(hmac.compare_digest(value, e) for e in expected):
            return True
    return False


class Receiver:
    """A webhook receiver on 127.0.0.1 (a thread running http.server, keep-alive).

    ``fail_first`` requests are answered 503; ``gate`` (a threading.Event) holds every
    request until it is set; ``on_message`` is called with each verified message before
    the 2xx answer (what a real automation would do). ``delivered`` lists the ids answered
    2xx in order; ``requests`` every request (id, type, verified, status).
    """

    def __init__(self, *, fail_first=0, gate=None, on_message=None):
        self.secrets: list[str] = []
        self.fail_first = fail_first
        self.gate = gate
        self.on_message = on_message
        self.entered = threading.Event()
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.delivered: list[str] = []
        self.messages: list[dict] = []
        self.seen = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.entered.set()
                if receiver.gate is not None:
                    receiver.gate.wait(60)
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = verify(receiver.secrets, headers, body)
                message = json.loads(body) if ok else None
                with receiver.lock:
                    number = len(receiver.requests)
                    if not ok:
                        status = 401
                    elif number < receiver.fail_first:
                        status = 503
                    else:
                        status = 200
                    receiver.requests.append(
                        {
                            "id": headers.get("webhook-id"),
                            "type": message and message["type"],
                            "verified": ok,
                            "status": status,
                            "signature": headers.get("webhook-signature", ""),
                        }
                    )
                if status == 200 and receiver.on_message is not None:
                    receiver.on_message(message)
                with receiver.lock:
                    if status == 200:
                        receiver.seen[message["id"]] += 1
                        if receiver.seen[message["id"]] == 1:
                            receiver.delivered.append(message["id"])
                            receiver.messages.append(message)
                answer = {200: b"ok", 401: b"bad signature", 503: b"try again later"}[status]
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def stop(self):
        if self.gate is not None:
            self.gate.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def make_receiver():
    made = []

    def make(**kwargs) -> Receiver:
        receiver = Receiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.stop()


@pytest.fixture
def workers(transactional_db, redis_url, settings, moto_server):
    """Start real `celery worker` processes on Redis (same queue, this test's database),
    with extra environment (fast retries, a short SENDING lease); kill or stop them."""
    from tests.workers import enqueue_to, start_worker

    queue = f"test-webhooks-{os.getpid()}-{time.monotonic_ns()}"
    started = []

    def start(**extra_env):
        # CELERY_TASK_DEFAULT_QUEUE: what the worker enqueues itself (drains).
        process = start_worker(
            redis_url,
            queue,
            log_prefix="celery-webhooks-",
            CELERY_TASK_DEFAULT_QUEUE=queue,
            **extra_env,
        )
        started.append(process)
        return process

    def kill(process):
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    start.kill = kill
    try:
        with enqueue_to(redis_url, queue, settings):
            yield start
    finally:
        for process in started:
            stop_process(process)


def wait_until(predicate, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
