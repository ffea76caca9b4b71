"""The processes `manage.py demo` runs beside the web server, as production does.

A private redis-server (the same Debian package `make test` installs) is the broker; a
Celery worker runs the imports and provisioning outside the request, so progress is seen
moving, and Celery beat fires the schedules. Each child is tied to the demo's life: it is
stopped when the demo stops and, on Linux, killed by the kernel if the demo is killed.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    """Linux: have the kernel stop the child if the demo dies without cleaning up."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChildProcess:
    """A child process writing to a log file, started and stopped by the demo."""

    name = "process"

    def __init__(self, command: list[str], log_path: Path, env: dict | None = None):
        self.command = command
        self.log_path = log_path
        self.env = env
        self.process = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15) -> None:
        if not self.alive():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def redis_server_command(binary: str, port: int, workdir) -> list[str]:
    """The argv of a redis-server on 127.0.0.1:``port`` that keeps nothing on disk."""
    return [
        binary,
        *("--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no", "--dir", str(workdir)),
    ]


class RedisProcess(ChildProcess):
    """A private redis-server on 127.0.0.1 that keeps nothing on disk."""

    name = "redis-server"

    def __init__(self, binary: str, port: int, workdir: Path):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(redis_server_command(binary, port, workdir), workdir / "redis.log")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start_and_wait(self, timeout: float = 20) -> bool:
        """Start and wait for PONG; False (and stopped) when it does not answer in time."""
        self.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            if self.answers():
                return True
            time.sleep(0.1)
        self.stop()
        return False


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def celery_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "celery"), "-A", "meshportal", *args]


def use_broker(broker_url: str) -> None:
    """Send this process's tasks to the broker instead of running them inside the request.

    Settings were read before the demo started Redis, so both Django's settings (read by
    the pages that say whether a worker runs) and the already-configured Celery app are
    switched, and pooled broker connections to the old URL are dropped.
    """
    import kombu.pools
    from django.conf import settings

    from meshportal.celery import app

    settings.REDIS_URL = broker_url
    settings.CELERY_BROKER_URL = broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    kombu.pools.reset()
    app._pool = None
    os.environ["REDIS_URL"] = broker_url
    os.environ["CELERY_BROKER_URL"] = broker_url
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)
