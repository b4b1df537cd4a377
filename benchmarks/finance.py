#!/usr/bin/env python3
"""Benchmark finance: profit recomputation for 1,000,000 order lines (target ≤ 60 s, embedded SQLite).

In a fresh temporary CHUHAI_DATA_DIR (``chuhai init``: migrations, ECB rates, seeded fee schedules) it generates,
with plain multi-row inserts (not timed): 3 channel accounts (Amazon US FBA, Amazon DE FBA, Shopify US), 2,000
products with dimensions and costs, ``--lines`` order lines over 12 months of 2025 (1–2 lines per order, a few
cancelled), ledger lines for ~70 % of the orders as the parsers store them (Amazon: principal, commission, FBA
fee per line; Shopify: the charge and its fee) with the base-currency amounts the import stores
(:func:`chuhai.finance.base_amounts.convert_lines`), costs of sale for a third of the lines, and per account ×
month a storage fee, a subscription and an advertising charge with Sponsored Products rows. Then it times
:func:`chuhai.finance.profit.recompute` over everything and prints
``profit recompute: N lines in X s (target ≤ 60 s)``; a second run shows the rebuild (delete + insert) cost.

    .venv/bin/python benchmarks/finance.py                   # the full run (a few minutes with the data set-up)
    .venv/bin/python benchmarks/finance.py --lines 100000    # quicker
    .venv/bin/python benchmarks/finance.py --check           # exit 1 when a target is missed

:func:`settlement_section` is the hook of the settlement benchmark (import a 200k-line settlement and reconcile
it): when ``benchmarks/finance_settlements.py`` exists its ``main()`` is called after the profit figures.
Never touches the user's data: CHUHAI_* variables from the environment are ignored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUHAI = ROOT / ".venv" / "bin" / "chuhai"
TARGETS = {"recompute_s": 60.0}
D = Decimal
CENT = D("0.01")


def setup_django(data_dir: Path) -> None:
    for key in [k for k in os.environ if k.startswith("CHUHAI_")]:
        del os.environ[key]
    os.environ.update(CHUHAI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="chuhai.settings.production")
    import django

    django.setup()


def generate(lines: int, seed: int = 11) -> dict:
    """The data set described in the module docstring; returns counts."""
    from django.db import transaction

    from chuhai.analytics.models import AdPerformance
    from chuhai.catalog.models import Listing, Product
    from chuhai.channels.services import create_account
    from chuhai.core import bulk
    from chuhai.core.models import CompanySettings
    from chuhai.finance.cost_layers import CostOfSale
    from chuhai.finance.models import LedgerLine
    from chuhai.orders.models import Order, OrderLine

    rng = random.Random(seed)
    settings = CompanySettings.load()
    settings.base_currency, settings.time_zone = "CNY", "Asia/Shanghai"
    settings.save()
    accounts = [create_account("AMZ-US", "amazon", "US"), create_account("AMZ-DE", "amazon", "DE"),
                create_account("SHOP-US", "shopify", "US")]
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    products = Product.objects.bulk_create([
        Product(sku=f"BX-{i:05d}", name_en=f"Gadget {i}", category="Cables", weight_g=rng.randrange(60, 900),
                length_mm=rng.randrange(80, 300), width_mm=rng.randrange(50, 200), height_mm=rng.randrange(10, 90),
                purchase_cost=D(rng.randrange(300, 6000)) / 100, cost_currency="CNY")
        for i in range(2000)])
    Listing.objects.bulk_create([Listing(account=a, product=p, channel_sku=p.sku, marketplace=a.marketplace,
                                         currency=a.currency) for a in accounts for p in products[:500]])
    prices = {p.pk: D(rng.randrange(799, 6999)) / 100 for p in products}
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    seconds = 365 * 86400
    order_fields = ("id", "account_id", "external_id", "marketplace", "purchased_at", "status", "fulfilment_channel",
                    "document_type", "tax_model", "is_replacement", "is_business", "promotion_ids", "customer_ref",
                    "ship_country", "ship_region", "ship_city", "ship_postal", "currency", "items_total",
                    "shipping_total", "tax_total", "discount_total", "order_total", "base_currency", "fx_rate",
                    "source_hash", "created_at", "updated_at")
    line_fields = ("id", "order_id", "line_no", "external_line_id", "product_id", "channel_sku", "product_name",
                   "item_status", "quantity", "unit_price", "gross_amount", "item_tax", "shipping", "shipping_tax",
                   "discount")
    ledger_fields = ("account_id", "settlement_ref", "source", "fingerprint", "transaction_type", "order_ref", "sku",
                     "quantity", "amount_type", "amount_description", "amount", "currency", "posted_at",
                     "marketplace", "fulfilment", "description", "category", "order_id")
    cost_fields = ("order_line_id", "product_id", "quantity", "unit_cost", "amount", "is_return", "at")
    adapt = bulk.datetime_adapter()
    now_db = adapt(now)
    counts = {"orders": 0, "lines": 0, "ledger": 0, "costs": 0}
    order_id = line_id = 0
    fx = {"USD": "7.1", "EUR": "7.8"}
    with transaction.atomic():
        orders, order_lines, ledger, costs = [], [], [], []

        def flush():
            bulk.insert_rows(Order, order_fields, orders, adapted=True)
            bulk.insert_rows(OrderLine, line_fields, order_lines, adapted=True)
            bulk.insert_rows(LedgerLine, ledger_fields, ledger, adapted=True)
            bulk.insert_rows(CostOfSale, cost_fields, costs, adapted=True)
            counts["ledger"] += len(ledger)
            counts["costs"] += len(costs)
            orders.clear(), order_lines.clear(), ledger.clear(), costs.clear()

        while line_id < lines:
            account = accounts[order_id % 10 % 3 if order_id % 10 < 9 else 0]
            order_id += 1
            purchased = start + dt.timedelta(seconds=rng.randrange(seconds))
            n = 1 if rng.random() < 0.6 else 2
            n = min(n, lines - line_id)
            cancelled = rng.random() < 0.02
            external = f"{order_id:03d}-{rng.randrange(10**7):07d}-{order_id:07d}"
            amazon = account.platform == "amazon"
            settled = not cancelled and rng.random() < 0.7
            posted = adapt(purchased + dt.timedelta(days=rng.randrange(2, 14)))
            total = D(0)
            for no in range(1, n + 1):
                line_id += 1
                product = products[rng.randrange(len(products))]
                qty = 1 if rng.random() < 0.8 else rng.randrange(2, 4)
                gross = prices[product.pk] * qty
                total += gross
                order_lines.append((line_id, order_id, no, "", product.pk, product.sku, "", "cancelled" if cancelled
                                    else "shipped", 0 if cancelled else qty, str(prices[product.pk]), str(gross),
                                    "0", "0", "0", "0"))
                if settled:
                    common = (account.pk, f"S-{account.code}-{purchased.month}", "bench")
                    if amazon:
                        for kind, description, amount, category in (
                                ("ItemPrice", "Principal", gross, "principal"),
                                ("ItemFees", "Commission", -(gross * D("0.15")).quantize(CENT), "referral_fee"),
                                ("ItemFees", "FBAPerUnitFulfillmentFee", -D("4.20") * qty, "fulfilment_fee")):
                            ledger.append((*common, f"{line_id}-{description}", "Order", external, product.sku, qty,
                                           kind, description, str(amount), account.currency, posted,
                                           account.marketplace, "AFN", "", category, order_id))
                if not cancelled and line_id % 3 == 0:
                    cost = product.purchase_cost
                    costs.append((line_id, product.pk, qty, str(cost), str(cost * qty), False, posted))
            if settled and not amazon:
                common = (account.pk, f"S-{account.code}-{purchased.month}", "bench")
                fee = -(total * D("0.029") + D("0.30")).quantize(CENT)
                for kind, amount, category in (("amount", total, "principal"), ("fee", fee, "transaction_fee")):
                    ledger.append((*common, f"{order_id}-{kind}", "charge", external, "", None, kind, "",
                                   str(amount), account.currency, posted, "", "", "", category, order_id))
            orders.append((order_id, account.pk, external, account.marketplace, adapt(purchased),
                           "cancelled" if cancelled else "shipped", "fba" if amazon else "merchant", "order",
                           "marketplace" if account.marketplace == "US" and amazon else "", False, False, "", "",
                           account.marketplace, "", "", "", account.currency, str(total), "0", "0", "0", str(total),
                           "CNY", fx[account.currency], "", now_db, now_db))
            if len(order_lines) >= 20_000:
                counts["orders"] = order_id
                flush()
        flush()
        counts["orders"], counts["lines"] = order_id, line_id
        # period fees and ads: per account × month
        period, ads = [], []
        for account in accounts:
            for month in range(1, 13):
                day = dt.datetime(2025, month, 20, tzinfo=dt.UTC)
                for description, amount, category in (("Storage Fee", "-812.40", "storage_fee"),
                                                      ("Subscription Fee", "-39.99", "subscription"),
                                                      ("Cost of Advertising", "-2450.00", "advertising")):
                    period.append((account.pk, f"S-{account.code}-{month}", "bench", f"{account.code}-{month}-"
                                   f"{description}", "other-transaction", "", "", None, "other-transaction",
                                   description, amount, account.currency, adapt(day), "", "", "", category, None))
                for i in range(50):
                    ads.append(AdPerformance(account=account, start_date=dt.date(2025, month, 1 + i % 28),
                                             end_date=dt.date(2025, month, 1 + i % 28), campaign=f"C{i % 5}",
                                             ad_group=f"G{i}", advertised_sku=products[i * 7].sku,
                                             currency=account.currency, spend=D(rng.randrange(100, 9000)) / 100))
        bulk.insert_rows(LedgerLine, ledger_fields, period, adapted=True)
        AdPerformance.objects.bulk_create(ads)
        counts["ledger"] += len(period)
    # base-currency amounts at the posting date, as the settlement import's hook stores them
    from chuhai.finance.base_amounts import convert_lines

    convert_lines()
    return counts


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def profit_section(lines: int) -> list[tuple]:
    from chuhai.finance.profit import recompute
    from chuhai.finance.profit_facts import ProfitFact

    started = time.perf_counter()
    counts = generate(lines)
    print(f"generated {counts['orders']:,} orders, {counts['lines']:,} lines, {counts['ledger']:,} ledger lines, "
          f"{counts['costs']:,} costs of sale in {time.perf_counter() - started:.0f} s")
    rows = []
    for label in ("profit recompute", "profit rebuild (rows replaced)"):
        started, cpu, workers_cpu = time.perf_counter(), time.process_time(), _children_cpu()
        summary = recompute()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        workers_cpu = _children_cpu() - workers_cpu
        facts = ProfitFact.objects.count()
        # CPU time (this process and its workers) tells a busy machine from a slow engine
        print(f"{label}: {summary.lines:,} lines in {seconds:.1f} s (target ≤ {TARGETS['recompute_s']:.0f} s; "
              f"CPU {cpu:.1f} s here + {workers_cpu:.1f} s in {summary.workers} worker processes, "
              f"{os.cpu_count()} CPUs); {summary.settled_percent:.1f} % settled, {summary.allocated_rows:,} "
              f"allocated and {summary.unallocated_rows} unallocated rows, {facts:,} rows stored")
        rows.append((f"{label} ({summary.lines:,} lines)", f"{seconds:.1f} s", f"≤ {TARGETS['recompute_s']:.0f} s",
                     seconds <= TARGETS["recompute_s"]))
    return rows


# ---------------------------------------------------------------------------------------------------------------
# HOOK for the settlement benchmark (another helper): import a 200k-line settlement and reconcile it.
# Fill in benchmarks/finance_settlements.py with a ``main()``; it runs here, in this process, after the profit
# section, with Django already set up on the same temporary data directory. Its return value is its exit code.
# ---------------------------------------------------------------------------------------------------------------
def settlement_section(args) -> int:
    path = Path(__file__).resolve().parent / "finance_settlements.py"
    if not path.exists():
        print("settlement import + reconciliation: not measured yet (benchmarks/finance_settlements.py)")
        return 0
    spec = importlib.util.spec_from_file_location("finance_settlements", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main() or 0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chuhai-finance-") as tmp:
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHUHAI_")}
        subprocess.run([str(CHUHAI), "init"], env={**env, "CHUHAI_DATA_DIR": str(data)}, check=True,
                       capture_output=True)
        setup_django(data)
        rows = profit_section(args.lines)
        settlement_code = settlement_section(args)
    for name, value, target, ok in rows:
        print(f"  {name:<48} {value:>10}  {target:<8} {'ok' if ok else 'MISSED'}")
    missed = not all(ok for *_rest, ok in rows)
    return 1 if (args.check and missed) or settlement_code else 0


if __name__ == "__main__":
    sys.exit(main())
