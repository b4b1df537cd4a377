"""DuckDB over a SQLite file, in a process of its own (see :mod:`chuhai.analytics.metric_layer.engine`: two
copies of the SQLite library in one process corrupt each other's locks).

This module imports no Django and nothing of chuhai that does: the query server process is spawned and unpickles
:func:`serve` by importing it, before (and without) any Django set-up.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import duckdb

ALIAS = "op"


class EngineError(RuntimeError):
    """The metric engine cannot run (unsupported database, scanner package missing)."""


def extension_path(name: str, version: str) -> Path:
    """The ``.duckdb_extension`` file shipped in the pinned ``duckdb_extension_<name>`` package."""
    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError as exc:
        raise EngineError(f"the package duckdb-extension-{name.replace('_', '-')} is not installed "
                          f"(pip install chuhai's pinned dependencies)") from exc
    path = Path(module.__file__).parent / "extensions" / version / f"{name}.duckdb_extension"
    if not path.exists():
        raise EngineError(f"{path} is missing: duckdb-extension-{name.replace('_', '-')} must have the version "
                          f"of duckdb ({version})")
    return path


def _quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def open_sqlite(config: dict, database: str) -> duckdb.DuckDBPyConnection:
    """DuckDB with the SQLite file attached: only ever called in the query server process."""
    con = duckdb.connect(database=":memory:", config=config)
    try:
        version = con.execute("PRAGMA version").fetchone()[0]
        con.execute(f"LOAD {_quote(extension_path('sqlite_scanner', version))}")
        con.execute(f"ATTACH {_quote(database)} AS {ALIAS} (TYPE sqlite, READ_ONLY)")
    except BaseException:
        con.close()
        raise
    return con


class QueryServer:
    """DuckDB over the SQLite file in a process of its own (see the module docstring): one request at a time
    through a pipe; started when first needed, started again if it died."""

    def __init__(self, config: dict, database: str):
        self.config = config
        self.database = database
        self._lock = threading.Lock()
        self._process = None
        self._pipe = None

    def _start(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # a fork would carry this process's SQLite state along
        mine, theirs = context.Pipe()
        process = context.Process(target=serve, args=(theirs, self.config, self.database),
                                  name="chuhai-metrics-duckdb", daemon=True)
        process.start()
        theirs.close()
        self._process, self._pipe = process, mine
        self._receive()  # "ready", or the error that stopped it opening

    def _receive(self):
        try:
            kind, value = self._pipe.recv()
        except EOFError:
            raise EngineError("the metric query process stopped") from None
        if kind == "error":
            raise value
        return value

    def call(self, sql: str, params=None) -> list[tuple]:
        with self._lock:
            if self._process is None or not self._process.is_alive():
                self._start()
            self._pipe.send((sql, params))
            return self._receive()

    def cursor(self) -> RemoteCursor:
        return RemoteCursor(self)

    def close(self) -> None:
        with self._lock:
            if self._pipe is not None:
                try:
                    self._pipe.send(None)
                except OSError:
                    pass
                self._pipe.close()
            if self._process is not None:
                self._process.join(timeout=5)
                if self._process.is_alive():
                    self._process.terminate()
                    self._process.join()
            self._process = self._pipe = None


class RemoteCursor:
    """The part of a DuckDB cursor the metric layer uses: ``execute(sql, params)``, ``fetchall()``,
    ``fetchone()``."""

    def __init__(self, server: QueryServer):
        self.server = server
        self.rows: list[tuple] = []

    def execute(self, sql: str, params=None) -> RemoteCursor:
        self.rows = self.server.call(sql, params)
        return self

    def fetchall(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        return rows

    def fetchone(self):
        if not self.rows:
            return None
        return self.rows.pop(0)

    def close(self) -> None:
        self.rows = []


def serve(pipe, config: dict, database: str) -> None:
    """The query server: open DuckDB over the SQLite file, then answer (sql, params) with rows until None."""
    try:
        con = open_sqlite(config, database)
    except BaseException as exc:
        pipe.send(("error", sendable(exc)))
        return
    pipe.send(("ok", "ready"))
    while True:
        try:
            request = pipe.recv()
        except EOFError:
            break
        if request is None:
            break
        sql, params = request
        try:
            rows = con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
            pipe.send(("ok", rows))
        except BaseException as exc:  # the caller raises it
            pipe.send(("error", sendable(exc)))
    con.close()


def sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (DuckDB's errors do), else an EngineError with its message."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return EngineError(f"{type(exc).__name__}: {exc}")
