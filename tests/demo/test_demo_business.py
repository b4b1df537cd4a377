"""The demo business loaded into the real database: consistent money, FX at the order date, believable channels,
seasonality, and the demo logins."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from chuhai.catalog.models import BundleComponent, Listing, Product
from chuhai.core.models import CompanySettings
from chuhai.core.money import quantize
from chuhai.core.roles import role_of
from chuhai.demo import seasons
from chuhai.demo.loader import DEMO_LOGINS, DemoAlreadyLoaded, is_demo_loaded, load_demo
from chuhai.finance.fx import FxConverter
from chuhai.orders.models import SALE_STATUSES, Order, OrderLine

from .fixed import NOW, ORDERS

pytestmark = pytest.mark.django_db


def _company_tz() -> ZoneInfo:
    return ZoneInfo(CompanySettings.load().time_zone)


def _orders_with_lines():
    lines = defaultdict(list)
    for line in OrderLine.objects.all():
        lines[line.order_id].append(line)
    return [(order, lines[order.pk]) for order in Order.objects.select_related("account")]


def test_loads_the_requested_number_of_orders_and_a_catalogue(demo):
    assert Order.objects.count() == ORDERS == demo["orders"]
    assert OrderLine.objects.count() == demo["order_lines"] > ORDERS
    assert 100 <= Product.objects.count() <= 140
    assert Product.objects.filter(is_bundle=True).count() == demo["bundles"] >= 5
    assert all(p.name_en and p.name_zh and p.brand and p.hs_code and p.weight_g for p in Product.objects.all())
    assert Product.objects.filter(has_battery=True, category="Power banks").exists()
    assert CompanySettings.load().name == "深圳市出海星科技有限公司"


def test_kits_are_made_of_other_skus_and_cost_what_their_parts_cost(demo):
    kits = Product.objects.filter(is_bundle=True).prefetch_related("components__component")
    for kit in kits:
        parts = list(kit.components.all())
        assert parts, kit.sku
        assert all(not part.component.is_bundle for part in parts)
        assert kit.purchase_cost == sum(part.component.purchase_cost * part.quantity for part in parts)
    assert BundleComponent.objects.count() == demo["bundle_components"]


def test_every_order_adds_up(demo):
    checked = 0
    for order, lines in _orders_with_lines():
        ccy = order.currency
        assert lines, order.external_id
        items = sum(line.unit_price * line.quantity for line in lines)
        shipping = sum(line.shipping for line in lines)
        tax = sum(line.item_tax + line.shipping_tax for line in lines)
        discounts = sum(line.discount for line in lines)
        assert order.items_total == items
        assert order.shipping_total == shipping
        assert order.tax_total == tax
        assert order.discount_total == discounts
        # US sales tax comes on top of the price; VAT/GST elsewhere is already inside it.
        added_tax = tax if order.account.marketplace == "US" else 0
        assert order.order_total == items + shipping + added_tax - discounts
        assert 0 <= discounts <= items
        for amount in (order.items_total, order.shipping_total, order.tax_total, order.discount_total,
                       order.order_total, *(line.unit_price for line in lines)):
            assert quantize(amount, ccy) == amount, (order.external_id, amount, ccy)
        checked += 1
    assert checked == ORDERS


def test_vat_recorded_is_the_part_included_in_german_prices(demo):
    orders = Order.objects.filter(account__code="AMZ-DE", ship_country="DE").prefetch_related("lines")
    assert orders.count() > 50
    for order in orders:
        gross = order.items_total + order.shipping_total - order.discount_total
        tolerance = Decimal("0.01") * 2 * order.lines.count()
        assert abs(order.tax_total - gross * 19 / 119) <= tolerance, order.external_id


def test_us_sales_tax_is_charged_on_top_and_not_in_tax_free_states(demo):
    us = Order.objects.filter(account__code="AMZ-US")
    assert us.filter(tax_total__gt=0).count() > us.count() * 0.8
    assert not us.filter(ship_region__in=["OR", "DE", "NH", "MT"], tax_total__gt=0).exists()


def test_each_order_keeps_the_rate_fxconverter_gives_for_its_currency_and_date(demo):
    base = CompanySettings.load().base_currency
    tz = _company_tz()
    converter = FxConverter()
    exponent = Decimal("1e-12")
    currencies = set()
    for order in Order.objects.only("currency", "purchased_at", "fx_rate", "base_currency"):
        assert order.base_currency == base
        day = timezone.localtime(order.purchased_at, tz).date()
        expected = converter.rate(order.currency, base, day).quantize(exponent)
        assert order.fx_rate == expected, (order.currency, day)
        currencies.add(order.currency)
    assert currencies == {"USD", "EUR", "GBP", "JPY", "SGD", "MYR"}


def test_order_ids_are_unique_and_shaped_like_each_platform(demo):
    pairs = Order.objects.values("account_id", "external_id").annotate(n=Count("id")).filter(n__gt=1)
    assert not pairs.exists()
    shapes = {
        "amazon": re.compile(r"^\d{3}-\d{7}-\d{7}$"),
        "ebay": re.compile(r"^\d{2}-\d{5}-\d{5}$"),
        "shopee": re.compile(r"^\d{6}[0-9A-Z]{8}$"),
        "tiktok": re.compile(r"^\d{18}$"),
        "shopify": re.compile(r"^#\d{4,}$"),
    }
    tz = _company_tz()
    for order in Order.objects.select_related("account"):
        assert shapes[order.account.platform].match(order.external_id), order.external_id
        if order.account.platform == "shopee":  # Shopee order numbers start with the order date
            assert order.external_id[:6] == timezone.localtime(order.purchased_at, tz).strftime("%y%m%d")
    site = list(Order.objects.filter(account__code="SHOPIFY-SITE").order_by("purchased_at")
                .values_list("external_id", flat=True))
    numbers = [int(x[1:]) for x in site]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_the_year_ends_today_and_no_order_is_in_the_future(demo):
    tz = _company_tz()
    today = timezone.localtime(NOW, tz).date()
    days = {timezone.localtime(at, tz).date() for at in Order.objects.values_list("purchased_at", flat=True)}
    assert max(days) == today
    assert min(days) == today - dt.timedelta(days=364)
    assert not Order.objects.filter(purchased_at__gt=NOW).exists()
    assert not Order.objects.filter(source_updated_at__gt=NOW).exists()


def test_recent_orders_wait_for_dispatch_and_old_ones_are_mostly_delivered(demo):
    recent = Order.objects.filter(purchased_at__gte=NOW - dt.timedelta(hours=6))
    assert recent.exists()
    assert set(recent.values_list("status", flat=True)) <= {"unshipped", "pending", "cancelled"}
    old = Order.objects.filter(purchased_at__lt=NOW - dt.timedelta(days=30))
    statuses = Counter(old.values_list("status", flat=True))
    assert statuses["delivered"] > 0.85 * old.count()
    assert statuses["cancelled"] and statuses["refunded"] + statuses["returned"]


def test_channel_mix_amazon_us_leads_and_fulfilment_fits_the_channel(demo):
    by_account = Counter(Order.objects.values_list("account__code", flat=True))
    assert by_account.most_common(1)[0][0] == "AMZ-US"
    assert len(by_account) == 9
    amazon_us = Counter(Order.objects.filter(account__code="AMZ-US").values_list("fulfilment_channel", flat=True))
    assert amazon_us["fba"] > 0.6 * sum(amazon_us.values()) and amazon_us["3pl"] + amazon_us["merchant"] > 0
    assert set(Order.objects.filter(account__platform="shopee").values_list("fulfilment_channel", flat=True)) == {
        "merchant"}
    de_destinations = set(Order.objects.filter(account__code="AMZ-DE").values_list("ship_country", flat=True))
    assert "DE" in de_destinations and len(de_destinations) > 2  # Amazon.de also sells to AT, FR, NL...
    assert set(Order.objects.filter(account__code="AMZ-UK").values_list("ship_country", flat=True)) <= {"GB", "IE"}


def test_returning_buyers_are_more_common_on_the_own_site(demo):
    def repeat_share(code):
        refs = Counter(Order.objects.filter(account__code=code).values_list("customer_ref", flat=True))
        return sum(n for n in refs.values() if n > 1) / sum(refs.values())

    assert repeat_share("SHOPIFY-SITE") > 2 * repeat_share("AMZ-US") > 0


def test_shelf_prices_have_each_markets_endings(demo):
    def prices(code):
        return list(Listing.objects.filter(account__code=code).values_list("price", flat=True))

    assert all((p * 100) % 100 == 99 for p in prices("AMZ-US"))  # $29.99
    assert all(p == p.to_integral_value() and int(p) % 100 == 80 for p in prices("AMZ-JP"))  # ¥2,980
    assert all((p * 100) % 100 == 90 for p in prices("SHOPEE-SG"))
    # Mains products are only listed where their plug fits (Japan uses the US plug).
    assert not Listing.objects.filter(account__code="AMZ-US", product__sku__endswith="-EU").exists()
    assert not Listing.objects.filter(account__code="AMZ-DE", product__sku__endswith="-US").exists()
    assert Listing.objects.filter(account__code="AMZ-JP", product__sku__endswith="-US").exists()


def _revenue_by_day(**filters) -> dict[dt.date, Decimal]:
    tz = _company_tz()
    out: dict[dt.date, Decimal] = defaultdict(Decimal)
    rows = Order.objects.filter(status__in=SALE_STATUSES, **filters).values_list("purchased_at", "order_total",
                                                                                 "fx_rate")
    for at, total, rate in rows:
        out[timezone.localtime(at, tz).date()] += total * rate
    return out


def test_black_friday_week_outsells_an_average_october_week(demo):
    revenue = _revenue_by_day()
    black_friday = seasons.black_friday(2026)
    week_start = black_friday - dt.timedelta(days=black_friday.weekday())
    bf_week = sum(revenue[week_start + dt.timedelta(days=i)] for i in range(7))
    october = sum(v for day, v in revenue.items() if day.year == 2026 and day.month == 10)
    average_october_week = october * 7 / 31
    assert bf_week > average_october_week * Decimal("1.3")


def test_prime_day_and_11_11_peaks(demo):
    amazon = _revenue_by_day(account__platform="amazon")
    prime = seasons.prime_day(2026)
    july = [v for day, v in amazon.items() if day.month == 7 and day.year == 2026]
    prime_days = sum(amazon[prime + dt.timedelta(days=i)] for i in range(4)) / 4
    assert prime_days > Decimal("1.7") * sum(july) / len(july)

    shopee = Counter(timezone.localtime(at, _company_tz()).date() for at in Order.objects.filter(
        account__platform="shopee").values_list("purchased_at", flat=True))
    other_november = [shopee[dt.date(2026, 11, d)] for d in range(1, 30) if d not in (10, 11, 12)]
    assert shopee[dt.date(2026, 11, 11)] > 3 * sum(other_november) / len(other_november)


def test_demo_users_exist_with_their_roles(demo):
    User = get_user_model()
    roles = set()
    for username, password, role in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert role_of(user) == role
        roles.add(role)
    assert roles == {"admin", "operations", "finance", "purchasing", "viewer"}
    assert ("demo", "demo", "admin") in DEMO_LOGINS


def test_loading_twice_is_refused_and_changes_nothing(demo):
    assert is_demo_loaded()
    before = Order.objects.count()
    with pytest.raises(DemoAlreadyLoaded):
        load_demo(orders=10, seed=1, now=NOW)
    assert Order.objects.count() == before
