"""Load the demo business into the database: ``chuhai demo`` and ``make demo`` call :func:`load_demo`.

The whole load is one transaction: a database holds the complete demo or none of it. Orders are generated in
memory (:mod:`chuhai.demo.orders`) and written in batches with ``executemany`` (:mod:`chuhai.core.bulk`), with no
query per row, so 100,000 orders with their fulfilment and money history load in under a minute on a small
machine. Master data (products, kits, listings) is written with its audit history, as if the seller had entered
it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from chuhai.catalog.models import BundleComponent, Listing, Product
from chuhai.channels.models import ChannelAccount
from chuhai.channels.services import create_account
from chuhai.core import bulk
from chuhai.core.models import CompanySettings
from chuhai.core.users import create_user
from chuhai.finance.fx import FxConverter, load_ecb_rates
from chuhai.inventory.services import create_warehouse
from chuhai.orders.models import Order, OrderLine

from .business import ACCOUNTS, COMPANY_COUNTRY, COMPANY_NAME, WAREHOUSES
from .catalog import demo_catalogue
from .finance import load_demo_finance
from .fulfilment import load_demo_fulfilment
from .inventory import load_demo_inventory
from .listings import plan_listings
from .orders import AccountPlan, ListingRef, OrderGenerator

#: (username, password, role). The passwords are public: these accounts exist only in a demo database.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("demo", "demo", "admin"),
    ("ops", "ops", "operations"),
    ("finance", "finance", "finance"),
    ("buyer", "buyer", "purchasing"),
    ("viewer", "viewer", "viewer"),
]

#: Length of the demo history: twelve months ending today.
DEMO_DAYS = 365
BATCH = 5000

Progress = Callable[[str, int, int], None]


class DemoAlreadyLoaded(RuntimeError):
    """The database already holds the demo business (or data that would collide with it)."""


def is_demo_loaded() -> bool:
    """True when the demo admin login or any demo channel account exists in the database."""
    if get_user_model().objects.filter(username=DEMO_LOGINS[0][0]).exists():
        return True
    return ChannelAccount.objects.filter(code__in=[a.code for a in ACCOUNTS]).exists()


def demo_period(now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """(first day, today) of the demo year, in the company's time zone."""
    tz = ZoneInfo(CompanySettings.load().time_zone)
    today = timezone.localtime(now or timezone.now(), tz).date()
    return today - dt.timedelta(days=DEMO_DAYS - 1), today


def load_demo(orders: int = 20000, seed: int = 42, progress: Progress | None = None, *,
              now: dt.datetime | None = None) -> dict:
    """Create the demo company, users, catalogue, channels, warehouses, listings and ``orders`` orders.

    The same ``seed`` gives the same business (ids, prices, totals); ``now`` (default: the current time) fixes
    the last day of the year of orders, which ends today in the company's time zone. Raises
    :class:`DemoAlreadyLoaded` if the demo is already in the database. Returns counts of what was created.
    """
    if orders < 0:
        raise ValueError("the number of orders cannot be negative")
    report = progress or (lambda _stage, _done, _total: None)
    if is_demo_loaded():
        raise DemoAlreadyLoaded(_("The demo business is already loaded in this database."))
    now = now or timezone.now()
    start, today = demo_period(now)

    report(_("Loading ECB exchange rates"), 0, 1)
    fx_added = load_ecb_rates(since=start - dt.timedelta(days=10))
    report(_("Loading ECB exchange rates"), 1, 1)

    rng = random.Random(seed)
    with transaction.atomic():
        if is_demo_loaded():
            raise DemoAlreadyLoaded(_("The demo business is already loaded in this database."))
        settings = CompanySettings.load()
        settings.name = COMPANY_NAME
        settings.country = COMPANY_COUNTRY
        settings.save()

        stage = _("Creating users, warehouses and channel accounts")
        setup_total = len(DEMO_LOGINS) + len(WAREHOUSES) + len(ACCOUNTS)
        for username, password, role in DEMO_LOGINS:
            create_user(username, role, password=password)
        for w in WAREHOUSES:
            create_warehouse(w.code, w.type, w.country, time_zone=w.time_zone, name=w.name)
        accounts = {}
        for a in ACCOUNTS:
            accounts[a.code] = create_account(a.code, a.platform, a.marketplace, currency=a.currency,
                                              operating_model=a.operating_model, name=a.name)
        report(stage, setup_total, setup_total)

        catalogue = demo_catalogue()
        products = _create_products(catalogue)
        components = _create_components(catalogue, products)
        report(_("Creating products and kits"), len(catalogue), len(catalogue))
        listing_specs = plan_listings(rng, catalogue, ACCOUNTS, DEMO_DAYS)
        listings = bulk_create_with_history(
            [Listing(account=accounts[s.account], product=products[s.sku], channel_sku=s.channel_sku,
                     external_id=s.external_id, marketplace=accounts[s.account].marketplace,
                     currency=accounts[s.account].currency, price=s.price, status=s.status) for s in listing_specs],
            Listing, batch_size=500,
        )
        report(_("Creating listings"), len(listings), len(listings))

        plans = _account_plans(accounts, listing_specs, products, catalogue)
        base_currency = settings.base_currency
        converter = FxConverter()
        generator = OrderGenerator(
            rng, plans, orders, today, DEMO_DAYS, now, settings.time_zone, base_currency,
            fx_rate=lambda currency, day: converter.rate(currency, base_currency, day),
        )
        stage = _("Generating orders")
        report(stage, 0, orders)
        order_count = line_count = 0
        pending: list = []
        for pair in generator.orders():
            pending.append(pair)
            if len(pending) >= BATCH:
                line_count += _write_orders(pending)
                order_count += len(pending)
                report(stage, len(pending), orders)
                pending = []
        if pending:
            line_count += _write_orders(pending)
            order_count += len(pending)
            report(stage, len(pending), orders)
        _analyze()
        inventory = load_demo_inventory(rng, report)
        fulfilment = load_demo_fulfilment(rng, report, now=now)
        _analyze()
        money = load_demo_finance(rng, report, start=start, today=today)

    return {
        "products": sum(1 for p in catalogue if not p.is_bundle),
        "bundles": sum(1 for p in catalogue if p.is_bundle),
        "bundle_components": len(components),
        "listings": len(listings),
        "accounts": len(accounts),
        "warehouses": len(WAREHOUSES),
        "users": len(DEMO_LOGINS),
        "orders": order_count,
        "order_lines": line_count,
        "fx_rates_added": fx_added,
        **inventory,
        **fulfilment,
        **money,
    }


def _analyze() -> None:
    """PostgreSQL plans the next steps' joins from table statistics; tables filled inside this (uncommitted)
    transaction have none yet, and a join planned for empty tables over 100,000 orders takes minutes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _create_products(catalogue) -> dict[str, Product]:
    objs = [
        Product(sku=p.sku, name_en=p.name_en, name_zh=p.name_zh, brand=p.brand, category=p.category,
                is_bundle=p.is_bundle, purchase_cost=p.cost_cny, cost_currency="CNY", weight_g=p.weight_g,
                length_mm=p.dims_mm[0], width_mm=p.dims_mm[1], height_mm=p.dims_mm[2], hs_code=p.hs_code,
                country_of_origin="CN", has_battery=p.has_battery, is_hazmat=p.is_hazmat,
                is_active=p.retire is None)
        for p in catalogue
    ]
    created = bulk_create_with_history(objs, Product, batch_size=500)
    if created and created[0].pk is None:  # databases that do not return ids from bulk inserts
        created = list(Product.objects.filter(sku__in=[p.sku for p in catalogue]))
    return {p.sku: p for p in created}


def _create_components(catalogue, products: dict[str, Product]) -> list[BundleComponent]:
    objs = [BundleComponent(bundle=products[p.sku], component=products[sku], quantity=qty)
            for p in catalogue for sku, qty in p.components]
    return bulk_create_with_history(objs, BundleComponent, batch_size=500)


def _account_plans(accounts, listing_specs, products, catalogue) -> list[AccountPlan]:
    by_sku = {p.sku: p for p in catalogue}
    index = {p.sku: i for i, p in enumerate(catalogue)}
    plans = []
    for spec in ACCOUNTS:
        refs, fbm = [], []
        for s in listing_specs:
            if s.account != spec.code:
                continue
            ref = ListingRef(product_id=products[s.sku].pk, channel_sku=s.channel_sku, price=s.price,
                             popularity=s.popularity, index=index[s.sku], cheap=by_sku[s.sku].usd_price < Decimal(11),
                             launch_day=s.launch_day, retire_day=s.retire_day)
            (fbm if s.merchant_fulfilled else refs).append(ref)
        plans.append(AccountPlan(spec, accounts[spec.code].pk, refs, fbm))
    return plans


def _field_names(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _write_orders(pairs) -> int:
    """Insert a batch of orders, then their lines; returns the number of lines written.

    Plain ``executemany`` of the generated objects' values with ids allocated up front (as the order import does):
    Django's ``bulk_create`` spent two thirds of a 100,000-order load preparing each field of each object."""
    if not pairs:
        return 0
    now = bulk.now()
    order_fields, line_fields = _field_names(Order), _field_names(OrderLine)
    orders = [order for order, _lines in pairs]
    for order, pk in zip(orders, bulk.allocate_ids(Order, len(orders)), strict=True):
        order.pk = order.id = pk
        order.created_at = order.updated_at = now
    bulk.insert_rows(Order, order_fields, [[getattr(o, name) for name in order_fields] for o in orders])
    lines = []
    for order, order_lines in pairs:
        for line in order_lines:
            line.order_id = order.pk
            if line.gross_amount is None:
                line.gross_amount = line.unit_price * line.quantity
            lines.append(line)
    for line, pk in zip(lines, bulk.allocate_ids(OrderLine, len(lines)), strict=True):
        line.pk = line.id = pk
    bulk.insert_rows(OrderLine, line_fields, [[getattr(ln, name) for name in line_fields] for ln in lines])
    return len(lines)

