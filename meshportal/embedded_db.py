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


def embedded_database_settings(data_dir: Path) -> dict:
    """Start (or reuse) the embedded server and return Django's DATABASES entry for it."""
    # pgserver logs every process exit at INFO and platformdirs warns about a missing
    # XDG_RUNTIME_DIR on servers; neither helps a person running manage.py.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", module="platformdirs")
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: never stop the server when this process exits, since other
    # processes (the reloader's child, a worker, pytest) use it at the same time.
    server = pgserver.get_server(data_dir, cleanup_mode=None)
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
