"""The analytics mart: the order-line and profit-row relations copied to Parquet, one file per source and month,
kept in step with the operational database by the change marks its triggers write.

Why: DuckDB reading millions of order lines through the SQLite or PostgreSQL scanner spends seconds per query
re-reading, joining and casting them (≈ 3 s for a by-month query over 2,000,000 SQLite lines); from the mart's
Parquet files the same query reads only the columns and months it needs (``benchmarks/analytics.py``).

How it stays in step (and why it never serves stale figures):

- Triggers (migration ``analytics.0003``) upsert ``analytics_martdirty (source, day, version)`` for every insert,
  update or delete of an order, order line or profit row — the UTC day of the purchase or the row — bumping the
  version; a TRUNCATE bumps the ``*`` mark. Marks are never deleted: one row per source and day at most.
- The mart records the version of every mark it was built at. Every read of a mart source first calls
  :func:`ensure_fresh`: the marks' count and version sum equal the recorded ones (one aggregate over a few thousand
  rows) → nothing to do. Otherwise, under a file lock (one writer across processes), the months of each day whose
  version moved (the day before and after too: a UTC day straddles two local days) are rebuilt from the
  operational database — each month written to a new file and renamed over the old one — and the versions read
  *before* the rebuild are recorded: a day changed again meanwhile differs and is rebuilt on the next read.
- Several marts over one database (application servers with data directories of their own) each follow the marks
  by themselves; nothing one does hides a change from another.
- No state, another database, another time zone, a ``*`` change or a newer mart layout: the mart is rebuilt whole
  (one pass per source, partitioned by month).
- Inside an open transaction the marks may be the transaction's own, whose rows DuckDB cannot see yet: the months
  are rebuilt but the old versions kept, so they are rebuilt again after the commit.

Each source's rollups (:attr:`.sources.MartSource.rollups`: the rows grouped per day, and per day and customer)
are kept beside its rows, one file per month in ``<source>@<kind>/``, rewritten from the month's row file
whenever that file is.

The mart lives in ``CHUHAI_DATA_DIR/analytics_mart/<database>/``; ``CHUHAI_ANALYTICS_MART=0`` turns it off (the
layer then reads the operational database directly, with identical results). ``chuhai metrics mart`` shows its
state and ``--rebuild`` rebuilds it (after restoring a database backup, for instance).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db import connection

from . import engine

DIRTY_TABLE = "analytics_martdirty"
ALL_MARK = "*|1970-01-01"
SUBDIR = "analytics_mart"
#: Bumped when the stored columns change: an older mart is rebuilt.
SCHEMA_VERSION = 5
FILE = "data0.parquet"


def enabled() -> bool:
    value = os.environ.get("CHUHAI_ANALYTICS_MART", str(getattr(settings, "CHUHAI_ANALYTICS_MART", "1")))
    return value.strip().lower() not in ("0", "false", "no", "off", "")


def _database_key() -> str:
    s = connection.settings_dict
    raw = "|".join(str(s.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def directory() -> Path:
    return Path(settings.DATA_DIR) / SUBDIR / _database_key()


def _source_dir(source_id: str) -> Path:
    return directory() / source_id


def _rollup_dir(source_id: str, kind: str) -> Path:
    return directory() / f"{source_id}@{kind}"


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def stored_relation(source) -> str:
    """SQL reading the mart's copy of ``source`` (fresh: :func:`ensure_fresh` runs first), with a ``month``
    column from the file path for pruning."""
    ensure_fresh()
    pattern = str(_source_dir(source.name) / "month=*" / FILE)
    return (f"read_parquet({_sql_string(pattern)}, hive_partitioning = true, "
            "hive_types = {'month': VARCHAR})")


def rollup_relation(source, kind: str) -> str:
    """SQL reading the mart's rollup ``kind`` of ``source`` (:attr:`.sources.MartSource.rollups`), fresh, with
    ``month``."""
    ensure_fresh()
    pattern = str(_rollup_dir(source.name, kind) / "month=*" / FILE)
    return (f"read_parquet({_sql_string(pattern)}, hive_partitioning = true, "
            "hive_types = {'month': VARCHAR})")


# -- state ----------------------------------------------------------------------------------------------------------

def _company_tz() -> str:
    from chuhai.core.models import CompanySettings

    return CompanySettings.load().time_zone


def _identity() -> dict:
    return {"schema": SCHEMA_VERSION, "database": _database_key(), "tz": _company_tz(),
            "sources": sorted(_sources())}


def _state_path() -> Path:
    return directory() / "state.json"


def read_state() -> dict | None:
    try:
        return json.loads(_state_path().read_text())
    except (OSError, ValueError):
        return None


def _sources() -> dict:
    from .sources import SOURCES, MartSource

    return {name: cls for name, cls in SOURCES.items() if issubclass(cls, MartSource)}


def _marks() -> dict[str, int]:
    """{"source|YYYY-MM-DD": version} of every change mark (a few thousand rows at most: one per source and day)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT source, day, version FROM {DIRTY_TABLE}")
        rows = cur.fetchall()
    return {f"{source}|{str(day)[:10]}": int(version) for source, day, version in rows}


def _fingerprint() -> list[int]:
    """(count, sum of versions) of the marks: grows with every change (marks are never deleted)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), COALESCE(SUM(version), 0) FROM {DIRTY_TABLE}")
        count, total = cur.fetchone()
    return [int(count), int(total)]


def _fingerprint_of(marks: dict[str, int]) -> list[int]:
    return [len(marks), sum(marks.values())]


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    directory().mkdir(parents=True, exist_ok=True)
    with open(directory() / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- building ------------------------------------------------------------------------------------------------------

@dataclass
class RefreshReport:
    full: bool
    months: dict[str, list[str]]
    seconds: float


def _months_of(days: set[dt.date]) -> list[str]:
    months = set()
    for day in days:
        for shift in (-1, 0, 1):
            months.add((day + dt.timedelta(days=shift)).strftime("%Y-%m"))
    return sorted(months)


def _source(cls, tz: str):
    from chuhai.core.models import CompanySettings

    return cls(CompanySettings.load().base_currency, tz, None, None)


def _copy(cur, sql: str, params: dict, target: str, options: str) -> None:
    from .sources import used_params

    statement = f"COPY ({sql}) TO {_sql_string(target)} ({options})"
    cur.execute(statement, used_params(statement, params))


def _select(source, sql: str, with_month: bool) -> str:
    columns = ", ".join(f's."{c}"' for c in source.stored_columns)
    month = ', strftime(s."day", \'%Y-%m\') AS "month"' if with_month else ""
    return f"SELECT {columns}{month} FROM ({sql}) s"


def _build_all(tz: str) -> dict[str, list[str]]:
    """Every source, whole: written to a new directory, then swapped in."""
    built: dict[str, list[str]] = {}
    for name, cls in _sources().items():
        source = _source(cls, tz)
        sql, params = source.stored()
        final = _source_dir(name)
        fresh = final.with_name(name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir(parents=True)
        with engine.cursor() as cur:
            _copy(cur, _select(source, sql, True), params, str(fresh),
                  "FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'data{i}'")
            # One file per month (data0.parquet); keep one empty file so the
            # relation can be read (with its columns) when the source has no rows yet.
            if not any(fresh.glob("month=*")):
                empty = fresh / "month=0000-00"
                empty.mkdir()
                _copy(cur, _select(source, sql, False) + " LIMIT 0", params, str(empty / FILE), "FORMAT parquet")
        swaps = [(fresh, final)]
        for kind, rollup in cls.rollups.items():
            swaps.append((_build_rollup_all(source, kind, rollup, fresh), _rollup_dir(name, kind)))
        for new, current in swaps:
            old = current.with_name(current.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if current.exists():
                current.rename(old)
            new.rename(current)
            shutil.rmtree(old, ignore_errors=True)
        built[name] = sorted(p.name.removeprefix("month=") for p in final.glob("month=*"))
    # folders of an older layout (sources or rollups no longer kept)
    kept = {_source_dir(n).name for n in built} | {_rollup_dir(n, k).name for n, c in _sources().items()
                                                    for k in c.rollups}
    for folder in directory().iterdir():
        if folder.is_dir() and folder.name not in kept:
            shutil.rmtree(folder, ignore_errors=True)
    return built


def _rollup_of(rollup, files: str, with_month: bool) -> str:
    """SQL of ``rollup``'s rows over a source's Parquet ``files`` (one file, or a glob of month folders:
    ``with_month`` keeps the folder's month as a key)."""
    if with_month:
        rows = f"read_parquet({_sql_string(files)}, hive_partitioning = true, hive_types = {{'month': VARCHAR}})"
        rollup = replace(rollup, keys=(*rollup.keys, "month"))
    else:
        rows = f"read_parquet({_sql_string(files)})"
    return rollup.select(rows)


def _build_rollup_all(source, kind: str, rollup, rows_dir: Path) -> Path:
    """Rollup ``kind`` of every month of ``source`` from its freshly written rows in ``rows_dir``: a new
    directory, swapped in by the caller."""
    final = _rollup_dir(source.name, kind)
    fresh = final.with_name(final.name + ".new")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    with engine.cursor() as cur:
        _copy(cur, _rollup_of(rollup, str(rows_dir / "month=*" / FILE), True), {}, str(fresh),
              "FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'data{i}'")
        if not any(fresh.glob("month=*")):
            empty = fresh / "month=0000-00"
            empty.mkdir()
            _copy(cur, _rollup_of(rollup, str(rows_dir / "month=*" / FILE), False) + " LIMIT 0", {},
                  str(empty / FILE), "FORMAT parquet")
    return fresh


def _build_months(name: str, months: list[str], tz: str) -> None:
    """Rewrite the files of ``months`` of source ``name`` from the operational database (an empty month keeps an
    empty file: readers may hold the file list)."""
    cls = _sources()[name]
    source = _source(cls, tz)
    with engine.cursor() as cur:
        for month in months:
            first = dt.date.fromisoformat(month + "-01")
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            sql, params = source.stored(first, last, small_range=True)
            folder = _source_dir(name) / f"month={month}"
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{FILE}.{os.getpid()}.tmp"
            _copy(cur, _select(source, sql, False), params, str(tmp), "FORMAT parquet")
            os.replace(tmp, folder / FILE)
            for kind, rollup in cls.rollups.items():
                # the month's rollups from the file just written (a few MB), not from the database again
                rolled = _rollup_dir(name, kind) / f"month={month}"
                rolled.mkdir(parents=True, exist_ok=True)
                tmp = rolled / f".{FILE}.{os.getpid()}.tmp"
                _copy(cur, _rollup_of(rollup, str(folder / FILE), False), {}, str(tmp), "FORMAT parquet")
                os.replace(tmp, rolled / FILE)


def refresh(full: bool = False) -> RefreshReport:
    """Bring the mart up to date now (``full``: rebuild everything). Returns what was rebuilt."""
    started = time.perf_counter()
    with _locked():
        marks = _marks()
        identity = _identity()
        state = read_state() or {}
        built = state.get("versions", {}) if state.get("identity") == identity else None
        whole = full or built is None or marks.get(ALL_MARK) != built.get(ALL_MARK)
        months: dict[str, list[str]] = {}
        if whole:
            months = _build_all(identity["tz"])
        else:
            by_source: dict[str, set[dt.date]] = {}
            for key, version in marks.items():
                if built.get(key) != version:
                    source, day = key.split("|")
                    by_source.setdefault(source, set()).add(dt.date.fromisoformat(day))
            for name, days in by_source.items():
                if name in _sources():
                    months[name] = _months_of(days)
                    _build_months(name, months[name], identity["tz"])
        # Inside a transaction the marks may be our own uncommitted ones, whose rows DuckDB cannot see yet:
        # record the versions built before, so the months are built again once they are committed.
        recorded = marks if not connection.in_atomic_block else (built or {})
        _state_path().write_text(json.dumps({
            "identity": identity, "versions": recorded, "fingerprint": _fingerprint_of(recorded),
            "refreshed_at": dt.datetime.now(dt.UTC).isoformat()}))
    return RefreshReport(full=whole, months=months, seconds=time.perf_counter() - started)


def ensure_fresh() -> None:
    """Refresh when anything changed since the last refresh (see the module doc); cheap when nothing did: the
    marks' count and version sum against the ones the mart was built at."""
    state = read_state()
    if (state is not None and state.get("fingerprint") == _fingerprint()
            and state.get("identity") == _identity()):
        return
    refresh()


def _pending(state: dict) -> int:
    built = state.get("versions", {})
    return sum(1 for key, version in _marks().items() if built.get(key) != version)


def status() -> dict:
    """What ``chuhai metrics mart`` prints: where the mart is, when it was refreshed, files and bytes per source,
    days changed since."""
    state = read_state() or {}
    out = {"enabled": enabled(), "directory": str(directory()), "refreshed_at": state.get("refreshed_at"),
           "changed_days": _pending(state), "sources": {}}
    for name in _sources():
        files = sorted(_source_dir(name).glob(f"month=*/{FILE}"))
        rolled = [f for kind in _sources()[name].rollups for f in _rollup_dir(name, kind).glob(f"month=*/{FILE}")]
        out["sources"][name] = {"months": len(files), "bytes": sum(f.stat().st_size for f in files),
                                "rollup_bytes": sum(f.stat().st_size for f in rolled)}
    return out
