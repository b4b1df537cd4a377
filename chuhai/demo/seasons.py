"""When the demo's buyers shop: retail events, weekly rhythm and the hours of the day.

Event dates are computed for any year, so the demo stays believable whenever it is loaded:
Prime Day (four days from the second Tuesday of July), Prime Big Deal Days (two days from the first Tuesday on or
after 7 October), Black Friday to Cyber Monday (from the fourth Thursday of November), the Shopee double-digit days
(9.9, 10.10, 11.11 — the biggest — and 12.12), the Christmas run-up and the January lull.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


@lru_cache(maxsize=32)
def prime_day(year: int) -> dt.date:
    return _nth_weekday(year, 7, 1, 2)


@lru_cache(maxsize=32)
def prime_big_deal_days(year: int) -> dt.date:
    start = dt.date(year, 10, 7)
    return start + dt.timedelta(days=(1 - start.weekday()) % 7)


@lru_cache(maxsize=32)
def thanksgiving(year: int) -> dt.date:
    return _nth_weekday(year, 11, 3, 4)


def black_friday(year: int) -> dt.date:
    return thanksgiving(year) + dt.timedelta(days=1)


def _cyber_week(day: dt.date, peak: float) -> float:
    """Thanksgiving week through Cyber Monday: build-up, the Friday peak, a strong weekend and Monday."""
    offset = (day - thanksgiving(day.year)).days  # 0 = Thanksgiving
    curve = {-10: 1.15, -9: 1.15, -8: 1.2, -7: 1.25, -6: 1.3, -5: 1.35, -4: 1.4, -3: 1.45, -2: 1.5, -1: 1.6,
             0: 0.55 * peak + 0.4, 1: peak, 2: 0.8 * peak, 3: 0.7 * peak, 4: 0.85 * peak, 5: 1.3, 6: 1.2}
    return curve.get(offset, 1.0)


def _christmas(day: dt.date, strength: float) -> float:
    if day.month == 12:
        if day.day <= 19:
            return 1.0 + strength * (0.2 + 0.03 * day.day)
        if day.day <= 23:
            return 1.0 + strength * 0.3
        if day.day <= 26:
            return 0.55
        return 0.9
    if day.month == 1 and day.day <= 20:
        return 0.8
    return 1.0


def _prime(day: dt.date, peak: float, fall_peak: float) -> float:
    start = prime_day(day.year)
    offset = (day - start).days
    if 0 <= offset <= 3:
        return peak if offset in (0, 3) else peak * 1.1
    if -7 <= offset < 0:
        return 1.15  # early deals and pre-Prime Day ads
    if 4 <= offset <= 6:
        return 0.85  # the usual hangover
    fall = (day - prime_big_deal_days(day.year)).days
    if 0 <= fall <= 1:
        return fall_peak
    return 1.0


def _double_day(day: dt.date) -> float:
    """Shopee campaign days: 11.11 dwarfs the others; the days around carry the early vouchers."""
    if day.month == day.day and day.month >= 9:
        return {9: 3.0, 10: 3.5, 11: 6.0, 12: 4.0}[day.month]
    if day.month == 11 and day.day in (10, 12):
        return 1.8
    if day.month == day.day:  # 6.6, 7.7, 8.8 and smaller ones earlier in the year
        return 2.0
    if day.day == 25:  # payday sale
        return 1.4
    return 1.0


def season_factor(profile: str, day: dt.date) -> float:
    """Demand multiplier for a sales channel's ``profile`` on ``day`` (1.0 = an ordinary day)."""
    if profile == "amazon_us":
        return _prime(day, 3.6, 2.0) * _cyber_week(day, 3.2) * _christmas(day, 1.0) * _back_to_school(day)
    if profile == "amazon_eu":
        return _prime(day, 3.0, 1.8) * _cyber_week(day, 2.8) * _christmas(day, 1.0)
    if profile == "amazon_jp":
        # Amazon.co.jp has its own Black Friday (late November) and New Year sale; Christmas matters less.
        new_year = 1.6 if day.month == 1 and 2 <= day.day <= 5 else 1.0
        return _prime(day, 3.2, 1.8) * _cyber_week(day, 2.4) * _christmas(day, 0.4) * new_year
    if profile == "shopee":
        return _double_day(day) * (1.0 if day.month != 12 or day.day > 12 else 1.1)
    if profile == "tiktok_us":
        deals_for_you = 1.6 if day.month == 7 and 7 <= day.day <= 18 else 1.0
        return deals_for_you * _cyber_week(day, 3.0) * _christmas(day, 0.8)
    if profile == "ebay_us":
        return _cyber_week(day, 2.2) * _christmas(day, 1.2) * (1.15 if day.month == 7 and 7 <= day.day <= 14 else 1.0)
    if profile == "shopify":
        return _cyber_week(day, 3.8) * _christmas(day, 1.2) * (1.2 if day.month == 7 and 7 <= day.day <= 14 else 1.0)
    raise ValueError(f"unknown season profile {profile!r}")


def _back_to_school(day: dt.date) -> float:
    return 1.12 if (day.month == 8 and day.day >= 10) or (day.month == 9 and day.day <= 5) else 1.0


#: Monday..Sunday order-rate multipliers: Western buyers shop on Sunday evening and Monday, not Friday night;
#: Southeast Asian buyers on the weekend.
WEEKDAY = {
    "western": (1.08, 1.04, 1.0, 0.98, 0.9, 0.94, 1.06),
    "asia": (0.96, 0.97, 0.98, 1.0, 1.0, 1.05, 1.04),
}

#: Share of a day's orders per local hour (0–23): quiet at night, a lunch bump, the evening peak.
HOURLY = (0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.7, 1.4, 2.4, 3.4, 4.2, 4.8, 5.2, 5.0, 4.8, 4.7, 4.8, 5.1, 5.6, 6.3, 7.0,
          6.6, 4.9, 2.7)


def weekday_factor(profile: str, day: dt.date) -> float:
    rhythm = WEEKDAY["asia" if profile in ("shopee", "amazon_jp") else "western"]
    return rhythm[day.weekday()]
