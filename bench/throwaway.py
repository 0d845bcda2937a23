"""A PostgreSQL database for a benchmark: made fresh or taken as it is, migrated; dropped."""

import os


def machine() -> str:
    """Cores and load before the run: on a shared machine, other work slows every figure."""
    return f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run"


def server_connection(server: str, dbname: str = "postgres"):
    """An autocommit connection to the server's maintenance database (to create and drop), or
    to `dbname`."""
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(server)
    return psycopg.connect(
        host=conf["HOST"],
        port=conf["PORT"] or 5432,
        user=conf["USER"],
        password=conf["PASSWORD"],
        dbname=dbname,
        autocommit=True,
    )


def fresh_database(server: str, name: str, **environment: str) -> None:
    """Database `name` made anew on `server`, Django set up on it (with `environment` on top
    of the benchmark defaults) and migrated."""
    with server_connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    use_database(server, name, **environment)


def use_database(server: str, name: str, **environment: str) -> None:
    """Django set up on the existing database `name` on `server` (with `environment` on top of
    the benchmark defaults) and migrated."""
    _set_up(server.rsplit("/", 1)[0] + "/" + name, environment)


def use_sqlite(path, *, fresh: bool = False, **environment: str) -> None:
    """Django set up on the SQLite file `path` (made anew if `fresh`) and migrated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fresh:
        path.unlink(missing_ok=True)
    _set_up(f"sqlite:///{path}", environment)


def _set_up(database_url: str, environment: dict) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "loa.settings",
            "SECRET_KEY": "bench-only",
            "LOA_DEBUG": "false",
            "LOA_HTTPS": "false",
            "DATABASE_URL": database_url,
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",  # nothing queued runs
            "LOG_LEVEL": "WARNING",
            "LOA_ACCESS_LOG": "false",  # in-process requests: no access log line each
            **environment,
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop(server: str, name: str) -> None:
    from django.db import connections

    connections.close_all()
    with server_connection(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
