"""Ledger lines in the base currency: each line keeps its own amount and currency, and gets ``base_amount`` and
``fx_rate`` at the rate of its posting date.

- The day is the posting time in the company's time zone (``CompanySettings.time_zone``): a line posted on
  2026-03-01 23:30 UTC is 2026-03-02 in Shanghai and takes that day's rate. A line without a posting time takes its
  settlement's deposit date (else its end date).
- The rate comes from :class:`chuhai.finance.fx.FxConverter`: the seller's own rates win over the ECB's.
- A line whose currency has no rate on its day stays empty and is reported as ``(currency, day)``: never guessed.
  Add the rate (``chuhai fx set``) and run ``chuhai finance convert`` again; ``refresh=True`` recomputes lines that
  were converted already (after a manual rate changed), and empties those whose rate is gone.
- Fast: the lines are read in primary-key chunks (only id, currency and dates), grouped by (currency, day) and
  written with one ``UPDATE … SET fx_rate = r, base_amount = amount * r`` per group and chunk of ids (ids of one
  import are mostly consecutive, so most chunks are a few id ranges). The product is computed by the database:
  exact on PostgreSQL's numeric; SQLite stores every decimal as a double anyway.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import CharField
from django.db.models.functions import Cast

from chuhai.core.models import CompanySettings

from .fx import FxConverter, FxRateMissing
from .models import RATE_PLACES, LedgerLine, Settlement

#: Lines read per round trip.
READ_CHUNK = 50_000
#: Ids (or id ranges, two parameters each) per UPDATE statement; SQLite's older builds allow 999 parameters.
PARAMS_PER_UPDATE = 900
RATE_QUANTUM = Decimal(1).scaleb(-RATE_PLACES)

Missing = tuple[str, dt.date | None]


#: A run of consecutive ids at least this long gets an UPDATE of its own (``id BETWEEN a AND b``); shorter runs go
#: into ``id IN (…)`` lists. (SQLite does not use the primary key for an OR of many ranges.)
LONG_RUN = 100


def _id_runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as inclusive runs: ``[1, 2, 3, 7]`` → ``[(1, 3), (7, 7)]``."""
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _conditions(ids: list[int]):
    """``(sql, params)`` WHERE clauses that together cover ``ids``, each one cheap for the database: one long id
    range, or an ``IN`` list of at most :data:`PARAMS_PER_UPDATE` ids."""
    singles: list[int] = []
    for start, end in _id_runs(ids):
        if end - start + 1 >= LONG_RUN:
            yield "id BETWEEN %s AND %s", [start, end]
        else:
            singles.extend(range(start, end + 1))
    for i in range(0, len(singles), PARAMS_PER_UPDATE):
        part = singles[i:i + PARAMS_PER_UPDATE]
        yield f"id IN ({', '.join(['%s'] * len(part))})", part


def _set_rate(cursor, rate: Decimal | None, ids: list[int]) -> int:
    """One rate for many lines: ``fx_rate = rate, base_amount = amount × rate`` (plain SQL: the ORM would spend
    more time building a thousand-id filter than the database spends running it). ``None`` empties them."""
    table = connection.ops.quote_name(LedgerLine._meta.db_table)
    changed = 0
    for where, params in _conditions(ids):
        if rate is None:
            cursor.execute(f"UPDATE {table} SET fx_rate = NULL, base_amount = NULL WHERE {where}", params)
        else:
            cursor.execute(f"UPDATE {table} SET fx_rate = %s, base_amount = amount * %s WHERE {where}",
                           [rate, rate, *params])
            changed += cursor.rowcount
    return changed


class _Days:
    """The company-time-zone day of a posting time read as UTC text (``2026-03-01 23:30:00``; PostgreSQL adds
    ``+00``), without building a datetime per line: for each UTC date, the moment the local day changes is
    computed once and each line's text is compared with it. A UTC date with a daylight-saving change is converted
    line by line (each minute once)."""

    EXACT = object()

    def __init__(self, tz):
        self.tz = tz
        self.dates: dict[str, object] = {}
        self.minutes: dict[str, dt.date] = {}

    def _split(self, date_text: str):
        start = dt.datetime.fromisoformat(date_text).replace(tzinfo=dt.UTC)
        end = start + dt.timedelta(days=1)
        offset = start.astimezone(self.tz).utcoffset()
        if offset != end.astimezone(self.tz).utcoffset():
            return self.EXACT
        first = (start + offset).date()
        change = dt.datetime.combine(first + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC) - offset
        if change >= end:
            return "~", first, first  # "~" sorts after every digit: the whole UTC date is one local day
        return change.strftime("%Y-%m-%d %H:%M:%S"), first, first + dt.timedelta(days=1)

    def __call__(self, text: str) -> dt.date:
        split = self.dates.get(text[:10])
        if split is None:
            split = self.dates[text[:10]] = self._split(text[:10])
        if split is not self.EXACT:
            change, before, after = split
            return before if text < change else after
        day = self.minutes.get(text[:16])
        if day is None:
            moment = dt.datetime.fromisoformat(text[:16]).replace(tzinfo=dt.UTC)
            day = self.minutes[text[:16]] = moment.astimezone(self.tz).date()
        return day


def _raw_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the driver returns them (no per-value conversion by Django)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _settlement_days(tz) -> dict[int, dt.date | None]:
    days = {}
    for pk, deposit_at, end_at in Settlement.objects.values_list("pk", "deposit_at", "end_at").iterator():
        moment = deposit_at or end_at
        days[pk] = moment.astimezone(tz).date() if moment else None
    return days


def convert_lines(queryset=None, progress: Callable[[int], None] | None = None, *, refresh: bool = False,
                  summary: dict | None = None) -> tuple[int, list[Missing]]:
    """Fill ``base_amount`` / ``fx_rate`` of the lines of ``queryset`` (default: every line) that have none yet, or
    of all of them with ``refresh``. Returns (lines converted, sorted ``(currency, day)`` pairs without a rate).

    ``progress(n)`` is called with the number of lines handled after each chunk. ``summary`` (an import run's
    summary dict) receives ``lines_without_fx_rate`` and ``missing_fx_rates`` when some lines stay empty.
    """
    lines = LedgerLine.objects.all() if queryset is None else queryset
    if not refresh:
        lines = lines.filter(base_amount__isnull=True)
    company = CompanySettings.load()
    base = company.base_currency
    tz = zoneinfo.ZoneInfo(company.time_zone or "UTC")
    converter = FxConverter()
    rates: dict[tuple[str, dt.date], Decimal | None] = {}
    settlement_days: dict[int, dt.date | None] | None = None
    local_day = _Days(tz)
    converted = 0
    missing: dict[Missing, int] = {}
    last_pk = 0
    while True:
        chunk = _raw_rows(lines.filter(pk__gt=last_pk).order_by("pk").annotate(
            posted_text=Cast("posted_at", CharField())).values_list(
            "pk", "currency", "posted_text", "settlement_id")[:READ_CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        groups: dict[tuple[str, dt.date | None], list[int]] = defaultdict(list)
        for pk, currency, posted_at, settlement_id in chunk:
            if posted_at is not None:
                day = local_day(posted_at)
            elif settlement_id is not None:
                if settlement_days is None:
                    settlement_days = _settlement_days(tz)
                day = settlement_days.get(settlement_id)
            else:
                day = None
            groups[(currency, day)].append(pk)
        by_rate: dict[Decimal | None, list[int]] = defaultdict(list)
        for (currency, day), ids in groups.items():
            rate = None
            if day is not None:
                if (currency, day) not in rates:
                    try:
                        rates[(currency, day)] = converter.rate(currency, base, day).quantize(RATE_QUANTUM)
                    except FxRateMissing:
                        rates[(currency, day)] = None
                rate = rates[(currency, day)]
            if rate is None:
                missing[(currency, day)] = missing.get((currency, day), 0) + len(ids)
                if not refresh:
                    continue  # empty already
            by_rate[rate].extend(ids)
        with transaction.atomic(), connection.cursor() as cursor:
            for rate, ids in by_rate.items():
                converted += _set_rate(cursor, rate, ids)
        if progress:
            progress(len(chunk))
    pairs = sorted(missing, key=lambda m: (m[0], m[1] or dt.date.min))
    if summary is not None and missing:
        summary["lines_without_fx_rate"] = sum(missing.values())
        summary["missing_fx_rates"] = [f"{c} {d.isoformat() if d else '(no date)'}" for c, d in pairs[:20]]
    return converted, pairs


def lines_to_convert(refresh: bool = False) -> int:
    """How many lines :func:`convert_lines` would handle (for a progress bar's total)."""
    lines = LedgerLine.objects.all()
    return lines.count() if refresh else lines.filter(base_amount__isnull=True).count()



def upgrade_stored_lines() -> dict:
    """Bring ledger lines stored by an earlier version up to date (``chuhai init`` runs this): lines without a
    category get one and their order; lines without a base-currency amount get one (lines whose rate was missing
    are tried again). Returns what it did: ``categorised``/``linked`` and ``converted``/``missing_rates``, each pair
    only when there was work of that kind."""
    from .categorise import categorise_lines, link_orders

    done: dict = {}
    uncategorised = LedgerLine.objects.filter(category="")
    if uncategorised.exists():
        done["categorised"] = categorise_lines(uncategorised)
        done["linked"] = link_orders()
    if LedgerLine.objects.filter(base_amount__isnull=True).exists():
        converted, missing = convert_lines()
        done.update(converted=converted, missing_rates=len(missing))
    return done
