"""`manage.py demo`: the portal with the film-catalog scenario, in one command.

Migrates, starts moto's standalone server as the AWS stand-in (unless AWS_ENDPOINT_URL
names one, or one already answers on the port), starts what production runs beside the
web server (a private redis-server as the broker, a Celery worker and Celery beat; see
meshportal.demo_processes), seeds the scenario and runs the development server on
127.0.0.1:$PORT. Without redis-server, tasks run inside the request and the banner and
the pages say so. Everything the demo started, the embedded PostgreSQL included, is
stopped when the server stops, whether by Ctrl-C, SIGTERM or an error.
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from meshportal import demo, embedded_db
from meshportal.demo_processes import (
    ChildProcess,
    RedisProcess,
    celery_command,
    die_with_parent,
    free_port,
    redis_binary,
    use_broker,
)

from .seed_demo import print_report

MOTO_HOST = "127.0.0.1"


def moto_answers(endpoint: str) -> bool:
    """True when a moto server answers at the endpoint (its /moto-api/ page)."""
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1) as response:  # noqa: S310
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def port_in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((MOTO_HOST, port)) == 0


class MotoProcess:
    """moto's standalone server as a child process, one state per AWS account.

    Run without MOTO_ACCOUNT_ID: moto then answers as the account of the assumed role's
    credentials, and every AwsAccount of the demo names a role in its own account, so the
    film team's data lives in 111111111111 and marketing's environments in 222222222222.
    """

    def __init__(self, port: int, log_path: Path):
        self.port = port
        self.endpoint = f"http://{MOTO_HOST}:{port}"
        self.log_path = log_path
        self.process = None

    def start(self, timeout: float = 60) -> None:
        binary = Path(sys.executable).parent / "moto_server"
        if not binary.exists():
            raise CommandError(
                f"{binary} is missing: install the development dependencies "
                "(`make install`, or pip install 'moto[server]')."
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(binary), "-H", MOTO_HOST, "-p", str(self.port)],
                env={k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(
                    f"moto_server exited with code {self.process.returncode}; see {self.log_path}:\n"
                    + self.log_tail()
                )
            if moto_answers(self.endpoint):
                return
            time.sleep(0.2)
        self.stop()
        raise CommandError(
            f"moto_server did not answer within {timeout:.0f} s; see {self.log_path}"
        )

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _raise_keyboard_interrupt(signum, frame):
    """SIGTERM ends the demo like Ctrl-C, so the finally clause stops moto."""
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, start moto (unless AWS_ENDPOINT_URL is set), seed the "
        "film-catalog scenario and serve the portal on 127.0.0.1:$PORT (default 8000)."
    )
    # runserver runs the system checks; migrate needs a database that may not exist yet.
    requires_system_checks = []

    def handle(self, *args, **options):
        port = os.environ.get("PORT", "8000")
        if not port.isdigit():
            raise CommandError(f"PORT must be a number, not {port!r}.")
        data_dir = demo.default_data_dir()
        previous_sigterm = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        moto = None
        self.children: list[ChildProcess] = []
        self.background_note = ""
        try:
            self.stdout.write("Applying database migrations…")
            call_command("migrate", interactive=False, verbosity=0)
            moto = self.start_aws(data_dir)
            self.start_background(data_dir)
            self.stdout.write("Seeding the film-catalog scenario…")
            report, password = demo.seed()
            print_report(self, report)
            self.banner(port, password, report.kept_passwords)
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        except KeyboardInterrupt:
            self.stdout.write("Stopping the demo.")
        finally:
            signal.signal(signal.SIGTERM, previous_sigterm)
            # Beat first (no new work), then the worker, then the broker they use.
            for child in reversed(self.children):
                child.stop()
                self.stdout.write(f"{child.name} (pid {child.pid}) stopped.")
            if moto is not None:
                moto.stop()
                self.stdout.write(f"moto server (pid {moto.process.pid}) stopped.")
            self.stop_database()

    def stop_database(self) -> None:
        """Stop the embedded PostgreSQL when this demo started it.

        One that was already running may serve another process (a test run, a worker),
        so it is left alone and the banner said how to stop it (`make stop`).
        """
        if not embedded_db.started_here:
            return
        data_dir = Path(settings.DATABASES["default"]["HOST"])
        from django.db import connections

        connections.close_all()
        try:
            if embedded_db.stop_embedded_server(data_dir):
                self.stdout.write(f"Embedded PostgreSQL in {data_dir} stopped.")
        except Exception as error:  # stopping is best effort; say how to finish it
            self.stderr.write(f"Could not stop the embedded PostgreSQL ({error}); run `make stop`.")

    def start_background(self, data_dir: Path) -> None:
        """Start a broker (unless REDIS_URL names one), a Celery worker and Celery beat.

        Without redis-server the demo still runs, with tasks inside the request; the
        banner and the pages that depend on a worker say so.
        """
        broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
        if broker:
            self.stdout.write(f"Broker: using {broker}")
        else:
            binary = redis_binary()
            if binary is None:
                self.background_note = (
                    "redis-server is not installed (`make redis` installs it), so tasks run "
                    "inside the request: no live progress, and schedules do not fire."
                )
                self.stdout.write(self.style.WARNING(self.background_note))
                return
            redis_port = os.environ.get("DEMO_REDIS_PORT", "")
            if redis_port and not redis_port.isdigit():
                raise CommandError(f"DEMO_REDIS_PORT must be a number, not {redis_port!r}.")
            port = int(redis_port) if redis_port else free_port()
            redis = RedisProcess(binary, port, data_dir / "redis")
            if not redis.start_and_wait():
                self.background_note = (
                    f"redis-server did not start (see {redis.log_path}), so tasks run inside "
                    "the request: no live progress, and schedules do not fire."
                )
                self.stdout.write(self.style.WARNING(self.background_note))
                return
            self.children.append(redis)
            broker = redis.url
            self.stdout.write(f"Broker: started redis-server (pid {redis.pid}) at {broker}")
        use_broker(broker)
        env = dict(os.environ)
        worker = ChildProcess(
            celery_command("worker", "--concurrency=2", "-l", "info"),
            data_dir / "celery-worker.log",
            env,
        )
        worker.name = "Celery worker"
        beat = ChildProcess(
            celery_command(
                "beat", "-l", "info", "--schedule", str(data_dir / "celerybeat-schedule")
            ),
            data_dir / "celery-beat.log",
            env,
        )
        beat.name = "Celery beat"
        for child in (worker, beat):
            child.start()
            self.children.append(child)
            self.stdout.write(f"{child.name}: started (pid {child.pid}), log in {child.log_path}")

    def start_aws(self, data_dir: Path) -> MotoProcess | None:
        """Make sure AWS_ENDPOINT_URL names a moto server; start one if needed.

        Returns the process we started (to stop at the end), or None when we reuse one.
        """
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.setdefault("AWS_DEFAULT_REGION", demo.REGION)
        if os.environ.get("AWS_ENDPOINT_URL"):
            self.stdout.write(f"AWS: using AWS_ENDPOINT_URL={os.environ['AWS_ENDPOINT_URL']}")
            return None
        moto_port = os.environ.get("DEMO_MOTO_PORT", "5000")
        if not moto_port.isdigit():
            raise CommandError(f"DEMO_MOTO_PORT must be a number, not {moto_port!r}.")
        moto = MotoProcess(int(moto_port), data_dir / "moto.log")
        if moto_answers(moto.endpoint):
            os.environ["AWS_ENDPOINT_URL"] = moto.endpoint
            self.stdout.write(f"AWS: reusing the moto server already answering at {moto.endpoint}")
            return None
        if port_in_use(moto.port):
            raise CommandError(
                f"Port {moto.port} is taken by something that is not moto. Set DEMO_MOTO_PORT to "
                "a free port, or AWS_ENDPOINT_URL to a running moto server."
            )
        moto.start()
        os.environ["AWS_ENDPOINT_URL"] = moto.endpoint
        self.stdout.write(
            f"AWS: started moto server (pid {moto.process.pid}) at {moto.endpoint}, "
            f"log in {moto.log_path}"
        )
        self.stdout.write(
            self.style.WARNING(
                "Note: moto keeps AWS state in memory only; the AWS side is seeded again at "
                "every start, but environments created before a restart point at resources "
                "this moto does not have."
            )
        )
        return moto

    def banner(self, port: str, password: demo.DemoPassword, kept: list[str]) -> None:
        url = f"http://127.0.0.1:{port}"
        if settings.CELERY_TASK_ALWAYS_EAGER:
            background = [
                "  Background work runs in-process (inside each request): progress is not",
                "  seen moving and schedules never fire.",
            ]
            if self.background_note:
                background.append(f"  Why: {self.background_note}")
        else:
            background = [
                f"  Background Celery worker and beat on {settings.CELERY_BROKER_URL}",
                f"             logs in {demo.default_data_dir()}/celery-*.log",
            ]
        if settings.DATABASES["default"]["HOST"].startswith("/") and not embedded_db.started_here:
            stopping = [
                "  Stop with Ctrl-C. The embedded PostgreSQL was already running and keeps",
                "  running; stop it with `make stop`.",
            ]
        elif embedded_db.started_here:
            stopping = ["  Stop with Ctrl-C (stops the worker, moto and the embedded PostgreSQL)."]
        else:
            stopping = ["  Stop with Ctrl-C."]
        if kept:
            password_lines = [
                f"  Password   {password.value} for new users ({password.source});",
                f"             {', '.join(kept)} kept an earlier password",
                "             (set DEMO_PASSWORD to reset it).",
            ]
        else:
            password_lines = [
                f"  Password   {password.value}",
                f"             ({password.source})",
            ]
        width = 78
        lines = [
            "Mesh Portal demo is ready",
            "",
            f"  Portal     {url}/",
            f"  Admin      {url}/admin/",
            f"  API docs   {url}/api/docs/",
            f"  AWS (moto) {os.environ.get('AWS_ENDPOINT_URL', '')}",
            "",
            "  Users      admin                      platform admin",
            "             film-catalog-team-admin    film catalog team (producer)",
            "             marketing-team-admin       marketing team (consumer)",
            *password_lines,
            "",
            *background,
            *stopping,
        ]
        self.stdout.write("=" * width)
        for line in lines:
            self.stdout.write(self.style.SUCCESS(line) if line.startswith("Mesh") else line)
        self.stdout.write("=" * width)
