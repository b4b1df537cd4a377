"""The filtered querysets behind the list pages (and their exports).

Each function takes plain values (already validated by a filter form) and returns a queryset that fetches its
related rows in the same query, so a 50-row page costs a fixed number of queries however large the table is.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from chuhai.catalog.models import Listing, Product
from chuhai.channels.models import ChannelAccount
from chuhai.finance.models import ManualFxRate
from chuhai.inventory.models import Warehouse
from chuhai.orders.models import Order


def _flag(value: str | None) -> bool | None:
    """Filter selects send ``yes`` / ``no`` / empty (= any)."""
    return {"yes": True, "no": False}.get(value or "")


def products(q: str = "", category: str = "", active: str = "", bundle: str = "") -> QuerySet[Product]:
    qs = Product.objects.all()
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name_en__icontains=q) | Q(name_zh__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if _flag(active) is not None:
        qs = qs.filter(is_active=_flag(active))
    if _flag(bundle) is not None:
        qs = qs.filter(is_bundle=_flag(bundle))
    return qs.order_by("sku")


def product_categories() -> list[str]:
    return list(Product.objects.exclude(category="").order_by("category").values_list("category", flat=True).distinct())


def listings(q: str = "", account: ChannelAccount | None = None, status: str = "") -> QuerySet[Listing]:
    qs = Listing.objects.select_related("account", "product")
    if q:
        qs = qs.filter(Q(channel_sku__icontains=q) | Q(external_id__icontains=q) | Q(product__sku__icontains=q))
    if account is not None:
        qs = qs.filter(account=account)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("account__code", "channel_sku")


def accounts(q: str = "", platform: str = "") -> QuerySet[ChannelAccount]:
    qs = ChannelAccount.objects.all()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if platform:
        qs = qs.filter(platform=platform)
    return qs.order_by("code")


def warehouses(q: str = "", type: str = "") -> QuerySet[Warehouse]:
    qs = Warehouse.objects.all()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if type:
        qs = qs.filter(type=type)
    return qs.order_by("code")


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the active time zone: date filters mean the seller's calendar day, not UTC's."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def orders(q: str = "", account: ChannelAccount | None = None, status: str = "", date_from: dt.date | None = None,
           date_to: dt.date | None = None, ship_country: str = "") -> QuerySet[Order]:
    qs = Order.objects.select_related("account")
    if q:
        qs = qs.filter(external_id__icontains=q)
    if account is not None:
        qs = qs.filter(account=account)
    if status:
        qs = qs.filter(status=status)
    # Bounds on the stored UTC instant (not ``__date``) so the purchased_at index serves the range.
    if date_from:
        qs = qs.filter(purchased_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(purchased_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if ship_country:
        qs = qs.filter(ship_country=ship_country)
    return qs.order_by("-purchased_at", "-id")


def manual_rates() -> QuerySet[ManualFxRate]:
    return ManualFxRate.objects.select_related("created_by").order_by("base", "quote", "-valid_from")
