"""Fee schedules: the published platform fees chuhai ships with, and how any schedule row is saved.

Every default rate below carries the page it was read from and the day it was read (``source``). A figure no
source we could read confirms is left out rather than guessed: finance adds it on the fee-schedule page. What is
seeded (all read on 2026-11-22 from stored copies of the pages named in each row):

- Amazon US referral fees for the fee categories our products fall in, with the 0.30 USD per-unit minimum;
  Amazon DE, UK and JP referral fees for electronics and their accessories (no per-item minimum on the European
  stores any more; 30 JPY in Japan).
- Amazon US FBA fulfilment fees per unit, non-peak, non-apparel, for items priced 10–50 USD, small and large
  standard size up to 3 lb: the card in force from 2024-04-15 (unchanged in 2025) and the 2026 card from
  2026-01-15. Not modelled (a ``FeeSchedule`` row has neither a price band nor a per-pound step): the Low-Price
  FBA rates under 10 USD and the higher rates over 50 USD, large standard above 3 lb, bulky and extra-large
  tiers, the October–January peak surcharge and the 3.5 % fuel and logistics surcharge from 2026-04-17.
- Shopify Payments, Basic plan, online card rate; eBay US final value fee (most categories) and per-order fee;
  Shopee SG transaction fee; Shopee MY commission (mobile accessories) and transaction fee until Shopee's
  February 2026 changes; TikTok Shop US referral fee.

``valid_from`` is the first day a source attests the figure (the announced start date where one is given; for
a rate a source only attests as current, January 1 of the year it attests); ``valid_to`` is set only where a
source names the change that ended the rate.

Our product categories (``Product.category``, e.g. "Cables") are mapped onto each platform's fee category in
:data:`CATEGORY_MAPS`; one referral row is seeded per mapped category, so finance edits rates in our own words.

:func:`load_default_schedules` runs after every migrate and inserts only the rows whose key (platform,
marketplace, kind, category, size tier, weight band, valid from) is missing: a row finance edited is never
overwritten. A default row finance deleted comes back on the next migrate; to retire one, set its ``valid_to``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .fees import FeeSchedule, FeeScheduleKind

READ_ON = "read 2026-11-22"

SMALL_STANDARD = "small_standard"
LARGE_STANDARD = "large_standard"
LARGE_BULKY = "large_bulky"
EXTRA_LARGE = "extra_large"
UNKNOWN_TIER = "unknown"


@dataclass(frozen=True)
class DefaultRate:
    platform: str
    marketplace: str
    kind: str
    currency: str
    valid_from: dt.date
    source: str
    category: str = ""
    size_tier: str = ""
    weight_from_g: int | None = None
    weight_to_g: int | None = None
    percent: Decimal | None = None
    amount: Decimal | None = None
    minimum: Decimal | None = None
    valid_to: dt.date | None = None

    def key(self) -> tuple:
        return (self.platform, self.marketplace, self.kind, self.category, self.size_tier, self.weight_from_g,
                self.weight_to_g, self.valid_from)


def schedule_key(schedule: FeeSchedule) -> tuple:
    """The identity of a default row: two rows differing only in rate, currency or source are the same row."""
    return (schedule.platform, schedule.marketplace, schedule.kind, schedule.category, schedule.size_tier,
            schedule.weight_from_g, schedule.weight_to_g, schedule.valid_from)


# -- our categories → each platform's fee category ----------------------------------------------------------------
#: Amazon US "Electronics Accessories" covers cables, chargers, mounts, stands, cases, screen protectors, batteries,
#: docking stations and adapters (Seller Central, "Selling electronics accessories", itemID=200998650). Smart plugs
#: and bulbs are home electronics, not accessories: no rate found for them, so "Smart home" is not mapped.
_ACCESSORIES = ("Cables", "Chargers", "Power banks", "Hubs & adapters", "Screen protectors", "Earbud cases",
                "Stands & mounts", "Accessories", "Bundles")

CATEGORY_MAPS: dict[tuple[str, str], dict[str, str]] = {
    ("amazon", "US"): {c: "Electronics Accessories" for c in _ACCESSORIES},
    ("amazon", "DE"): {c: "Elektronik-Zubehör" for c in _ACCESSORIES},
    ("amazon", "GB"): {c: "Electronic Accessories" for c in _ACCESSORIES},
    ("amazon", "JP"): {c: "(エレクトロニクス、カメラ、パソコン)付属品" for c in _ACCESSORIES},
    # Shopee MY 2023 table: accessories for mobile phones 4.0 %; hubs and smart-home goods are other rows.
    ("shopee", "MY"): {c: "Mobile accessories" for c in ("Cables", "Chargers", "Power banks", "Screen protectors",
                                                          "Earbud cases", "Stands & mounts")},
}


def platform_category(platform: str, marketplace: str, our_category: str) -> str:
    """The platform's fee category for one of our product categories ("" when not mapped)."""
    return CATEGORY_MAPS.get((platform, marketplace), {}).get(our_category, "")


# -- sources ------------------------------------------------------------------------------------------------------
AMAZON_US_REFERRAL = (
    "Amazon US fee schedule https://sellercentral.amazon.com/gp/help/external/200336920 as listed at "
    "https://help.sellercloud.com/omnichannel-ecommerce/amazon-commisions; no US referral change in 2025 or 2026: "
    "https://sellersasksellers.com/t/2026-updates-to-us-referral-and-fulfillment-by-amazon-fees/6593"
)
AMAZON_DE_REFERRAL = (
    "No minimum fee on .de/.co.uk/.fr/.it/.es: https://sellercentral.amazon.de/gp/help/external/200336920; "
    "Elektronik 7 %: https://www.investarium.de/was-kostet-das-verkaufen-bei-amazon/; Elektronik-Zubehör 15 % up "
    "to 100 EUR (8 % above, not modelled) since 2020-04-01: https://amzscoop.com/neue-verkaufsgebuehren-ab-1-april-2020/"
)
AMAZON_UK_REFERRAL = (
    "UK rates include 2 % Digital Services Tax (Consumer Electronics 7.14 %): https://sellercentral.amazon.de/gp/"
    "help/external/GH78LW99F4XF3Z38; Electronic Accessories 15 % up to 100 GBP (+DST = 15.3 %): "
    "https://amzscoop.com/neue-verkaufsgebuehren-ab-1-april-2020/; no minimum fee: "
    "https://sellercentral.amazon.de/gp/help/external/200336920"
)
AMAZON_JP_REFERRAL = "Amazon.co.jp 販売手数料 https://sell.amazon.co.jp/pricing.html"
FBA_US_2024 = (
    "Amazon US FBA fulfilment fee per unit, non-peak, non-apparel, price 10-50 USD, card from 2024-04-15: "
    "https://barrelaged.co/11-fba-tiered-fee-changes-what-manufactures-that-sell-on-amazon-need-to-know; unchanged "
    "in 2025: https://sellersasksellers.com/t/2026-updates-to-us-referral-and-fulfillment-by-amazon-fees/6593; "
    "rates: https://sellercentral.amazon.com/help/hub/reference/GPDC3KPYAGDTVDJP"
)
FBA_US_2026 = (
    "Amazon US FBA fulfilment fee per unit from 2026-01-15, non-peak, non-apparel, price 10-50 USD: "
    "https://sellercentral.amazon.com/help/hub/reference/GPDC3KPYAGDTVDJP; small std +0.25, large std +0.05 "
    "(https://www.jaygroup.com/blog/amazon-fulfillment-fees-updates-a-practical-guide), large std <=1 lb 4.60 "
    "(https://www.inventoryhero.ai/blog/fba-fulfillment-fees)"
)
SHOPIFY_PAYMENTS = (
    "Shopify Payments, Basic plan, online card rate 2.9 % + 30 US cents: https://www.shopify.com/pricing (copy "
    "verified 2026-08-27); https://thumbtube.com/blog/what-percentage-does-shopify-charge-on-each-transaction/"
)
EBAY_FVF = (
    "eBay US final value fee, most categories, 13.6 % of the total sale (2026): "
    "https://taxomate.com/blog/ebay-seller-fees; https://www.listing-forge.com/blog/ebay-fees-explained"
)
EBAY_PER_ORDER = (
    "eBay US per-order fee 0.40 USD on orders over 10 USD (0.30 USD up to 10 USD, not modelled) from 2024-03-15: "
    "eBay seller update winter 2024, http://www.ebay.com/sellercenter/resources/seller-updates/2024-winter/"
    "financials; https://taxomate.com/blog/ebay-seller-fees"
)
SHOPEE_SG = (
    "Shopee SG transaction fee 2.18 % of every sale (2026); commission 2-6 % by category and seller type not "
    "seeded: https://www.getonecart.com/shopee-seller-fees"
)
SHOPEE_MY = (
    "Shopee MY Marketplace from 2023-01-10: mobile accessories commission 4.0 % (+6 % SST, not a fee), "
    "transaction fee 2.12 %: https://soyacincau.com/2022/12/22/shopee-malaysia-marketplace-commission-fee-rate-hike-"
    "up-to-100-pct-january-2023 (2.12 %: lowyat.net report); ended by the 2026-02-01 changes: "
    "https://www.duoke.com/en/blog/article/"
    "285-Marketplace-Commission-Fees-for-Shopee-sellers-in-Malaysia"
)
TIKTOK_US = (
    "TikTok Shop US referral fee 6 % per order from 2024-04-01: https://seller-us.tiktok.com/university/essay?"
    "knowledge_id=5982454398175018; still 6 % in 2026: https://www.fastmoss.com/blog/tiktok-shop-seller-costs-in-"
    "the-us-2026-fees-creator-commissions-fulfillment-returns-real-profit/"
)


def _src(text: str, base: str) -> str:
    return f"{text}. {base} ({READ_ON})"


D = Decimal
REFERRAL = FeeScheduleKind.REFERRAL_PERCENT
FBA = FeeScheduleKind.FULFILMENT_PER_UNIT


def _referral_rows(platform: str, marketplace: str, currency: str, percent: str, minimum: str | None,
                   valid_from: dt.date, source: str, valid_to: dt.date | None = None) -> list[DefaultRate]:
    rows = []
    for ours, theirs in sorted(CATEGORY_MAPS[(platform, marketplace)].items()):
        text = _src(f"{theirs}: {percent} %" + (f", minimum {minimum} {currency} per unit" if minimum else ""),
                    source)
        rows.append(DefaultRate(platform, marketplace, REFERRAL, currency, valid_from, text, category=ours,
                                percent=D(percent), minimum=D(minimum) if minimum else None, valid_to=valid_to))
    return rows


#: Upper bounds of the FBA weight bands, in whole grams (1 oz = 28.349523125 g, 1 lb = 453.59237 g, rounded down
#: so a unit at the published limit stays in its band; see chuhai.finance.estimates for the weight used).
_SMALL_BANDS_G = (56, 113, 170, 226, 283, 340, 396, 453)            # 2, 4, ... 16 oz
_LARGE_BANDS_G = (113, 226, 340, 453, 566, 680, 793, 907, 1020, 1133, 1247, 1360)  # 4, 8, 12, 16 oz, 1.25 ... 3 lb

_FBA_US = {
    # (valid_from, valid_to, source): (small standard fees, large standard fees), USD per unit
    (dt.date(2024, 4, 15), dt.date(2026, 1, 14), FBA_US_2024): (
        ("3.06", "3.15", "3.24", "3.33", "3.43", "3.53", "3.60", "3.65"),
        ("3.68", "3.90", "4.15", "4.55", "4.99", "5.37", "5.52", "5.77", "5.87", "6.05", "6.21", "6.62"),
    ),
    (dt.date(2026, 1, 15), None, FBA_US_2026): (
        ("3.32", "3.42", "3.45", "3.54", "3.68", "3.78", "3.91", "3.96"),
        ("3.73", "3.95", "4.20", "4.60", "5.04", "5.42", "5.57", "5.82", "5.92", "6.10", "6.26", "6.67"),
    ),
}


def _fba_rows() -> list[DefaultRate]:
    rows = []
    for (start, end, source), (small, large) in _FBA_US.items():
        for tier, bands, fees in ((SMALL_STANDARD, _SMALL_BANDS_G, small), (LARGE_STANDARD, _LARGE_BANDS_G, large)):
            low = 0
            for high, fee in zip(bands, fees, strict=True):
                text = _src(f"{tier.replace('_', ' ')} {low}-{high} g: {fee} USD", source)
                rows.append(DefaultRate("amazon", "US", FBA, "USD", start, text, size_tier=tier, weight_from_g=low,
                                        weight_to_g=high, amount=D(fee), valid_to=end))
                low = high + 1
    return rows


def default_rates() -> list[DefaultRate]:
    """Every default schedule row (built on call: cheap, and keeps the module free of import-time work)."""
    y2025, y2026 = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    rows = [
        *_referral_rows("amazon", "US", "USD", "15", "0.30", y2025, AMAZON_US_REFERRAL),
        DefaultRate("amazon", "US", REFERRAL, "USD", y2025, _src("Consumer Electronics: 8 %, minimum 0.30 USD per "
                    "unit (our categories are accessories; kept for finance to map)", AMAZON_US_REFERRAL),
                    category="Consumer Electronics", percent=D("8"), minimum=D("0.30")),
        *_referral_rows("amazon", "DE", "EUR", "15", None, y2025, AMAZON_DE_REFERRAL),
        DefaultRate("amazon", "DE", REFERRAL, "EUR", y2025, _src("Elektronik: 7 %", AMAZON_DE_REFERRAL),
                    category="Consumer Electronics", percent=D("7")),
        *_referral_rows("amazon", "GB", "GBP", "15.3", None, y2025, AMAZON_UK_REFERRAL),
        DefaultRate("amazon", "GB", REFERRAL, "GBP", y2025, _src("Consumer Electronics: 7.14 %", AMAZON_UK_REFERRAL),
                    category="Consumer Electronics", percent=D("7.14")),
        *_referral_rows("amazon", "JP", "JPY", "10", "30", y2025, AMAZON_JP_REFERRAL),
        DefaultRate("amazon", "JP", REFERRAL, "JPY", y2025,
                    _src("エレクトロニクス(AV機器&携帯電話): 8 %, minimum 30 JPY", AMAZON_JP_REFERRAL),
                    category="Consumer Electronics", percent=D("8"), minimum=D("30")),
        *_fba_rows(),
        DefaultRate("shopify", "US", FeeScheduleKind.PAYMENT_PERCENT, "USD", y2026,
                    _src("card rate 2.9 %", SHOPIFY_PAYMENTS), percent=D("2.9")),
        DefaultRate("shopify", "US", FeeScheduleKind.PAYMENT_FIXED, "USD", y2026,
                    _src("card rate 0.30 USD per order", SHOPIFY_PAYMENTS), amount=D("0.30")),
        DefaultRate("ebay", "US", REFERRAL, "USD", y2026, _src("most categories: 13.6 %", EBAY_FVF), percent=D("13.6")),
        DefaultRate("ebay", "US", FeeScheduleKind.PAYMENT_FIXED, "USD", dt.date(2024, 3, 15),
                    _src("0.40 USD per order", EBAY_PER_ORDER), amount=D("0.40")),
        DefaultRate("shopee", "SG", FeeScheduleKind.TRANSACTION_PERCENT, "SGD", y2026,
                    _src("transaction fee 2.18 %", SHOPEE_SG), percent=D("2.18")),
        *_referral_rows("shopee", "MY", "MYR", "4.0", None, dt.date(2023, 1, 10), SHOPEE_MY,
                        valid_to=dt.date(2026, 1, 31)),
        DefaultRate("shopee", "MY", FeeScheduleKind.TRANSACTION_PERCENT, "MYR", dt.date(2023, 1, 10),
                    _src("transaction fee 2.12 %", SHOPEE_MY), percent=D("2.12"), valid_to=dt.date(2026, 1, 31)),
        DefaultRate("tiktok", "US", REFERRAL, "USD", dt.date(2024, 4, 1), _src("referral fee 6 %", TIKTOK_US),
                    percent=D("6")),
    ]
    return rows


def load_default_schedules() -> int:
    """Insert the default rows whose key is missing; return how many were inserted.

    Idempotent: an existing row with the same key is left exactly as it is, whatever finance changed in it.
    Inserted with their history records (django-simple-history), so the page shows where each row came from.
    """
    from simple_history.utils import bulk_create_with_history

    existing = {schedule_key(s) for s in FeeSchedule.objects.only(
        "platform", "marketplace", "kind", "category", "size_tier", "weight_from_g", "weight_to_g", "valid_from")}
    missing = [r for r in default_rates() if r.key() not in existing]
    if not missing:
        return 0
    with transaction.atomic():
        bulk_create_with_history([
            FeeSchedule(platform=r.platform, marketplace=r.marketplace, kind=r.kind, category=r.category,
                        size_tier=r.size_tier, weight_from_g=r.weight_from_g, weight_to_g=r.weight_to_g,
                        percent=r.percent, amount=r.amount, minimum=r.minimum, currency=r.currency,
                        valid_from=r.valid_from, valid_to=r.valid_to, source=r.source)
            for r in missing
        ], FeeSchedule, default_change_reason="default fee schedule")
    return len(missing)


# -- saving a row (page and API) ------------------------------------------------------------------------------------
FIELDS = ("platform", "marketplace", "kind", "category", "size_tier", "weight_from_g", "weight_to_g", "percent",
          "amount", "minimum", "currency", "valid_from", "valid_to", "source")
PERCENT_KINDS = {FeeScheduleKind.REFERRAL_PERCENT, FeeScheduleKind.PAYMENT_PERCENT,
                 FeeScheduleKind.TRANSACTION_PERCENT}
AMOUNT_KINDS = {FeeScheduleKind.FULFILMENT_PER_UNIT, FeeScheduleKind.PAYMENT_FIXED}


def save_fee_schedule(schedule: FeeSchedule | None, changes: dict, user=None) -> FeeSchedule:
    """Create (``schedule`` None) or change a schedule row with ``changes`` (field → value), validated as a whole.

    Codes are normalised (``uk`` → ``GB``, ``usd`` → ``USD``); a percentage fee needs ``percent``, a per-unit or
    per-order fee needs ``amount``; the weight band and the period must not be reversed. Raises
    :class:`ValidationError` naming the field. History is kept by django-simple-history (who and when).
    """
    from chuhai.channels.models import Platform
    from chuhai.core.countries import normalize_country
    from chuhai.core.money import normalize_currency

    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValueError(f"not fee schedule fields: {', '.join(sorted(unknown))}")
    creating = schedule is None
    schedule = schedule or FeeSchedule()
    for name, value in changes.items():
        if name in ("category", "size_tier", "source", "marketplace", "platform") and value is None:
            value = ""
        setattr(schedule, name, value)
    errors: dict[str, list[str]] = {}
    if schedule.platform not in Platform.values:
        errors.setdefault("platform", []).append(
            _("Unknown platform %(value)s; choose one of %(choices)s.")
            % {"value": schedule.platform, "choices": ", ".join(Platform.values)})
    for name, normalize in (("marketplace", normalize_country), ("currency", normalize_currency)):
        value = getattr(schedule, name)
        if value:
            try:
                setattr(schedule, name, normalize(value))
            except ValidationError as exc:
                errors.setdefault(name, []).extend(exc.messages)
    if schedule.kind in PERCENT_KINDS and schedule.percent is None:
        errors.setdefault("percent", []).append(_("This fee is a percentage: enter the percent."))
    if schedule.kind in AMOUNT_KINDS and schedule.amount is None:
        errors.setdefault("amount", []).append(_("This fee is an amount: enter the amount."))
    for name in ("percent", "amount", "minimum"):
        value = getattr(schedule, name)
        if value is not None and value < 0:
            errors.setdefault(name, []).append(_("Must not be negative."))
    if (schedule.weight_from_g is not None and schedule.weight_to_g is not None
            and schedule.weight_from_g > schedule.weight_to_g):
        errors.setdefault("weight_to_g", []).append(_("The band ends before it starts."))
    if schedule.valid_to and schedule.valid_from and schedule.valid_to < schedule.valid_from:
        errors.setdefault("valid_to", []).append(_("The period ends before it starts."))
    if errors:
        raise ValidationError(errors)
    schedule.full_clean(exclude=["created_by"])
    if creating and user is not None and user.is_authenticated:
        schedule.created_by = user
    schedule.save()
    return schedule
