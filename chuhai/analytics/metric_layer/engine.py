"""The DuckDB engine: one in-process DuckDB connection per process, with Django's default database attached
READ_ONLY as catalogue ``op`` — a SQLite file through DuckDB's ``sqlite_scanner``, PostgreSQL through its
``postgres_scanner`` (libpq connection string).

The scanners are loaded from the pinned wheels ``duckdb-extension-sqlite-scanner`` / ``-postgres-scanner``
(``LOAD '<package>/extensions/<version>/<name>.duckdb_extension'``), never installed or downloaded: automatic
install and load are off, the extension directory is inside ``CHUHAI_DATA_DIR`` and the extension repository
points nowhere, so a missing package is an error instead of a network call. Time zones come from the ICU
extension that is built into the DuckDB wheel.

**SQLite is read from another process.** DuckDB's ``sqlite_scanner`` carries its own copy of the SQLite library.
Two copies in one process corrupt each other's locking (POSIX locks belong to the process: one copy closing the
file releases the other's locks, and it may reset the WAL index the other has mapped — the test suite saw "disk
I/O error"s and a SIGBUS in Django's connection). So on SQLite the DuckDB connection lives in a query server
process of its own (:class:`QueryServer`, spawned on first use, one per process); :func:`cursor` gives a cursor
whose ``execute``/``fetchall``/``fetchone`` go through a pipe. Across processes the two libraries' locks work as
designed. Results are small (grouped figures), so the pipe costs little.

On PostgreSQL no connection stays open between queries (``pg_connection_cache`` off); they show as
``chuhai-metrics`` in ``pg_stat_activity``.

Use :func:`cursor` for each query (a DuckDB cursor is a connection of its own over the same database, safe to use
from one thread while other threads use theirs). The connection is reopened when the database settings change
(tests switch to the test database) and closed by :func:`close` (tests call it so PostgreSQL can drop the test
database).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import connections

from chuhai.analytics.duckdb_server import (
    ALIAS,
    EngineError,
    QueryServer,
    RemoteCursor,
    _quote,
    extension_path,
)

__all__ = ["ALIAS", "EngineError", "QueryServer", "RemoteCursor", "extension_path", "cursor", "connection", "close",
           "table", "backend", "loaded_extensions"]

#: Where DuckDB would look for and install extensions: inside the data directory, never ~/.duckdb.
EXTENSION_SUBDIR = "duckdb_extensions"
#: Extension repository used if anything ever tried to install: unreachable by design.
NO_REPOSITORY = "http://127.0.0.1:9/no-extension-downloads"
#: DuckDB's memory limit (``CHUHAI_DUCKDB_MEMORY_LIMIT`` overrides): the analytics target is 1.5 GB for the whole
#: application while dashboards run over 10,000,000 order lines.
MEMORY_LIMIT = "1GB"
#: How DuckDB's connections show in PostgreSQL's pg_stat_activity.
APPLICATION_NAME = "chuhai-metrics"

_lock = threading.Lock()
_state: dict = {"key": None, "con": None, "backend": None}





def _settings_dict() -> dict:
    return connections["default"].settings_dict


def backend() -> str:
    """``sqlite`` or ``postgres``: which scanner reads the operational database."""
    engine = _settings_dict()["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return "sqlite"
    if engine.startswith("django.db.backends.postgresql"):
        return "postgres"
    raise EngineError(f"the metric engine reads SQLite or PostgreSQL, not {engine}")


def _key() -> tuple:
    s = _settings_dict()
    return (s["ENGINE"], str(s["NAME"]), s.get("HOST"), s.get("PORT"), s.get("USER"), s.get("PASSWORD"))








def _libpq(s: dict) -> str:
    """A libpq key=value connection string from Django's settings dict."""
    def item(key, value):
        text = str(value).replace("\\", "\\\\").replace("'", "\\'")
        return f"{key}='{text}'"

    parts = [item("dbname", s["NAME"])]
    for key, setting in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")):
        if s.get(setting):
            parts.append(item(key, s[setting]))
    options = s.get("OPTIONS") or {}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"):
        if options.get(key):
            parts.append(item(key, options[key]))
    parts.append(item("application_name", APPLICATION_NAME))
    return " ".join(parts)


def _config() -> dict:
    ext_dir = Path(settings.DATA_DIR) / EXTENSION_SUBDIR if hasattr(settings, "DATA_DIR") else None
    config = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "custom_extension_repository": NO_REPOSITORY,
    }
    if ext_dir is not None:
        config["extension_directory"] = str(ext_dir)
        # Bounded memory: big sorts, joins and mart builds spill here instead of growing past the limit.
        config["temp_directory"] = str(Path(settings.DATA_DIR) / "duckdb_tmp")
    config["memory_limit"] = os.environ.get("CHUHAI_DUCKDB_MEMORY_LIMIT", MEMORY_LIMIT)
    return config





def _open():
    """The process's engine: a :class:`QueryServer` for SQLite, an in-process DuckDB connection for PostgreSQL."""
    kind = backend()
    config = _config()
    if kind == "sqlite":
        return QueryServer(config, str(_settings_dict()["NAME"]))
    con = duckdb.connect(database=":memory:", config=config)
    try:
        version = con.execute("PRAGMA version").fetchone()[0]
        con.execute(f"LOAD {_quote(extension_path('postgres_scanner', version))}")
        # No idle connections between queries: a query opens its own (a few ms on a LAN), so nothing holds
        # the database open — PostgreSQL can drop a test database, a restore is not blocked.
        con.execute("SET pg_connection_cache = false")
        con.execute(f"ATTACH {_quote(_libpq(_settings_dict()))} AS {ALIAS} (TYPE postgres, READ_ONLY)")
    except BaseException:
        con.close()
        raise
    return con


def connection():
    """The process's DuckDB connection, (re)opened for the current database settings."""
    key = _key()
    with _lock:
        if _state["con"] is None or _state["key"] != key:
            if _state["con"] is not None:
                _state["con"].close()
                _state["con"] = None
            _state["con"] = _open()
            _state["key"] = key
            _state["backend"] = backend()
        return _state["con"]


@contextmanager
def cursor():
    """A DuckDB cursor over the attached database, closed afterwards (on SQLite: a cursor of the query server)."""
    cur = connection().cursor()
    try:
        yield cur
    finally:
        cur.close()





def table(name: str) -> str:
    """The qualified name of a Django table in the attached database (``op.main.orders_order`` for SQLite,
    ``op.public.orders_order`` for PostgreSQL)."""
    schema = "public" if backend() == "postgres" else "main"
    return f"{ALIAS}.{schema}.{name}"


def close() -> None:
    """Close the connection (and with it the scanner's connections to PostgreSQL)."""
    with _lock:
        if _state["con"] is not None:
            _state["con"].close()
        _state.update(key=None, con=None, backend=None)


def loaded_extensions() -> dict[str, str]:
    """{extension name: install path} of the extensions loaded in the connection (``(BUILT-IN)`` or '')."""
    with cursor() as cur:
        return dict(cur.execute("SELECT extension_name, COALESCE(install_path, '') FROM duckdb_extensions() "
                                "WHERE loaded").fetchall())
