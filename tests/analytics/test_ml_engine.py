"""The DuckDB engine: scanners loaded from their pinned packages (never downloaded), the database attached
read-only, nothing written outside CHUHAI_DATA_DIR."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from django.conf import settings

from chuhai.analytics.metric_layer import engine


@pytest.fixture
def duck(transactional_db):
    yield engine
    engine.close()


def test_scanner_loaded_from_the_pinned_package_and_nothing_can_download(duck):
    scanner = "sqlite_scanner" if duck.backend() == "sqlite" else "postgres_scanner"
    package = __import__(f"duckdb_extension_{scanner}")
    path = duck.extension_path(scanner, "v" + duckdb.__version__)
    assert path.is_file() and Path(package.__file__).parent in path.parents
    loaded = duck.loaded_extensions()
    assert scanner in loaded
    with duck.cursor() as cur:
        setting = {name: cur.execute(f"SELECT current_setting('{name}')").fetchone()[0]
                   for name in ("autoinstall_known_extensions", "autoload_known_extensions",
                                "custom_extension_repository", "extension_directory")}
        assert setting["autoinstall_known_extensions"] is False
        assert setting["autoload_known_extensions"] is False
        assert setting["custom_extension_repository"] == duck.NO_REPOSITORY
        ext_dir = Path(setting["extension_directory"])
        assert Path(settings.DATA_DIR) in ext_dir.parents
        # Installing anything would have to download it: the repository is unreachable, so it fails at once.
        with pytest.raises(duckdb.Error, match="no-extension-downloads"):
            cur.execute("INSTALL httpfs")
        # …and nothing was installed into the extension directory (the scanner was LOADed from its package).
        assert not ext_dir.exists() or not any(p.suffix == ".duckdb_extension" for p in ext_dir.rglob("*"))


def test_attached_read_only(duck):
    with duck.cursor() as cur:
        assert cur.execute(f"SELECT COUNT(*) FROM {duck.table('orders_order')}").fetchone() == (0,)
        with pytest.raises(duckdb.Error, match="(?i)read.only"):
            cur.execute(f"CREATE TABLE {duck.table('ml_should_not_exist')} (a INTEGER)")


def test_one_connection_per_process_reopened_after_close(duck):
    first = duck.connection()
    assert duck.connection() is first
    duck.close()
    second = duck.connection()
    assert second is not first
    with duck.cursor() as cur:
        assert cur.execute("SELECT 1").fetchone() == (1,)


def test_reopened_when_the_database_settings_change(duck, tmp_path):
    """Tests switch databases under a running process: the engine follows Django's settings (SQLite: a copy of
    the database under another name answers from the copy until the name is set back)."""
    import sqlite3

    from django.db import connections

    from chuhai.analytics.metric_layer import run

    from .ml_builders import business, make_order, utc

    if duck.backend() != "sqlite":
        pytest.skip("copies the SQLite file")
    shop = business(with_profit=False)
    settings_dict = connections["default"].settings_dict
    original = settings_dict["NAME"]
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(original) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    assert run("orders").rows == [{"orders": 4}]
    first = duck.connection()
    make_order(shop["us"], "O8", utc(2026, 2, 25), "7.2", [(shop["cable"], 1, "10.00")])  # in the original only
    try:
        settings_dict["NAME"] = str(copy)
        assert duck.connection() is not first
        assert run("orders").rows == [{"orders": 4}]
    finally:
        settings_dict["NAME"] = original
    assert run("orders").rows == [{"orders": 5}]


def test_postgres_keeps_no_idle_connection(duck):
    """On PostgreSQL the scanner's connections close after each query, so the test database can be dropped even
    by a test that forgets engine.close()."""
    from django.db import connection

    from chuhai.analytics.metric_layer import run

    if duck.backend() != "postgres":
        pytest.skip("PostgreSQL only")
    import time

    assert run("orders").rows == [{"orders": 0}]
    # The server process of a closed connection leaves pg_stat_activity a moment after the client hangs up.
    deadline = time.monotonic() + 5
    while True:
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s AND datname = "
                        "current_database()", [duck.APPLICATION_NAME])
            left = cur.fetchone()[0]
        if left == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert left == 0
