"""The embedded PostgreSQL used when DATABASE_URL is unset.

pgserver ships real PostgreSQL binaries in a wheel. The server keeps its data under
``.data/postgres`` and listens on a Unix socket in that folder; it keeps running after
the process that started it exits, so manage.py, runserver's reloader, Celery workers
and the test suite all share one server. It is meant for one machine: production sets
DATABASE_URL.
"""

import logging
import warnings
from pathlib import Path

DATABASE_NAME = "meshportal"

# Whether this process found the embedded server stopped and started it: `manage.py demo`
# stops on exit only a server it started (another process may be using one it found).
started_here = False


def embedded_database_settings(data_dir: Path) -> dict:
    """Start (or reuse) the embedded server and return Django's DATABASES entry for it."""
    # pgserver logs every process exit at INFO and platformdirs warns about a missing
    # XDG_RUNTIME_DIR on servers; neither helps a person running manage.py.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", module="platformdirs")
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    global started_here
    data_dir.mkdir(parents=True, exist_ok=True)
    was_running = is_running(data_dir)
    # cleanup_mode=None: never stop the server when this process exits, since other
    # processes (the reloader's child, a worker, pytest) use it at the same time.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    started_here = not was_running
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(data_dir),
        "PORT": "",
    }


def is_running(data_dir: Path) -> bool:
    """True when a postmaster whose pid file sits in data_dir is alive."""
    import os

    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except PermissionError:
        return True  # alive, owned by another user (pgserver's, when root started it)
    except (OSError, ValueError):
        return False
    return True


def stop_embedded_server(data_dir: Path) -> bool:
    """Stop the embedded server in data_dir (fast shutdown). False when none was running.

    Used by `manage.py demo` on exit and by `make stop`; imports nothing from Django so
    that stopping never starts the server again (loading settings would).
    """
    import os
    import platform

    if not is_running(data_dir):
        return False
    from pgserver._commands import pg_ctl

    # pgserver runs postgres as the "pgserver" user when started by root.
    user = "pgserver" if platform.system() != "Windows" and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user, timeout=30)
    return True
