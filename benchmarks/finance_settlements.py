#!/usr/bin/env python3
"""Benchmark settlement reconciliation: a generated 200,000-line Amazon settlement flat file (V2, the layout and
row shapes of ``tests/channels/amazon/fixtures/settlement_v2_consistent.txt``) imported through the normal import
service (:func:`chuhai.channels.ingest.runner.import_file`, as ``chuhai import amazon-settlement`` does:
parsing, fee categories, order linking) and then reconciled (:func:`chuhai.finance.reconciliation.settlement_status`
and the settlement list). Target (issue 5, 2-core machine, embedded SQLite): import + reconcile ≤ 30 s, and the
file — consistent by construction — must reconcile to a difference of 0.00.

    .venv/bin/python benchmarks/finance_settlements.py                # 200,000 lines
    .venv/bin/python benchmarks/finance_settlements.py --lines 20000  # a quicker look
    .venv/bin/python benchmarks/finance_settlements.py --check        # exit 1 when the target is missed

Run alone it uses a fresh temporary CHUHAI_DATA_DIR (never the user's data). Called from another benchmark that
has already set Django up (``main([...])``), it uses that benchmark's (disposable) database.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 30.0
HEADER = ("settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount", "currency",
          "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id", "marketplace-name",
          "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date", "posted-date-time",
          "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
          "promotion-id")
#: An FBA order's rows, as Amazon writes them (amount-type, amount-description, sign of the amount).
ORDER_ROWS = (("ItemPrice", "Principal", 1), ("ItemPrice", "Tax", 1),
              ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -1), ("ItemFees", "Commission", -1),
              ("ItemFees", "FBAPerUnitFulfillmentFee", -1))
#: Non-order rows (transaction-type, amount-type, amount-description, sign).
OTHER_ROWS = (("other-transaction", "other-transaction", "Storage Fee", -1),
              ("other-transaction", "other-transaction", "Subscription Fee", -1),
              ("Cost of Advertising", "Cost of Advertising", "TransactionTotalAmount", -1),
              ("FBA Inventory Reimbursement", "FBA Inventory Reimbursement", "WAREHOUSE_DAMAGE", 1))


def write_settlement(path: Path, lines: int, settlement_id: str = "19000000001", seed: int = 5) -> Decimal:
    """Write a consistent V2 settlement of exactly ``lines`` money rows; returns its total (= the sum)."""
    rng = random.Random(seed)
    index = {name: i for i, name in enumerate(HEADER)}

    def row(**cells) -> str:
        out = [""] * len(HEADER)
        for key, value in cells.items():
            out[index[key.replace("_", "-")]] = str(value)
        return "\t".join(out)

    body: list[str] = []
    total = Decimal(0)
    order_no = 0
    while len(body) < lines:
        if rng.random() < 0.01:
            transaction_type, amount_type, description, sign = rng.choice(OTHER_ROWS)
            amount = Decimal(rng.randrange(1, 50_000)) / 100 * sign
            total += amount
            body.append(row(settlement_id=settlement_id, transaction_type=transaction_type,
                            amount_type=amount_type, amount_description=description, amount=amount,
                            posted_date_time="2025-06-12 00:00:00 UTC"))
            continue
        order_no += 1
        order_id = f"111-{order_no // 10_000_000:07d}-{order_no % 10_000_000:07d}"
        sku = f"SKU-{rng.randrange(2000):04d}"
        day = 1 + order_no % 14
        price = Decimal(rng.randrange(500, 20_000)) / 100
        for amount_type, description, sign in ORDER_ROWS:
            if len(body) >= lines:
                break
            if description == "Principal":
                amount = price
            elif description in ("Tax", "MarketplaceFacilitatorTax-Principal"):
                amount = (price * Decimal("0.07")).quantize(Decimal("0.01")) * sign
            elif description == "Commission":
                amount = -(price * Decimal("0.15")).quantize(Decimal("0.01"))
            else:
                amount = -Decimal(rng.randrange(300, 900)) / 100
            total += amount
            body.append(row(settlement_id=settlement_id, transaction_type="Order", order_id=order_id,
                            merchant_order_id=order_id, shipment_id=f"S{order_no}", marketplace_name="Amazon.com",
                            amount_type=amount_type, amount_description=description, amount=amount,
                            fulfillment_id="AFN", posted_date_time=f"2025-06-{day:02d} 05:23:19 UTC",
                            order_item_code=f"{40000000000000 + order_no}", sku=sku, quantity_purchased=1))
    summary = row(settlement_id=settlement_id, settlement_start_date="2025-06-01 00:00:00 UTC",
                  settlement_end_date="2025-06-15 00:00:00 UTC", deposit_date="2025-06-17 00:00:00 UTC",
                  total_amount=total, currency="USD")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\t".join(HEADER) + "\n" + summary + "\n")
        fh.write("\n".join(body) + "\n")
    return total


def _django_ready() -> bool:
    try:
        from django.apps import apps
    except ImportError:
        return False
    return apps.ready


def setup_django(data_dir: Path) -> None:
    for key in [k for k in os.environ if k.startswith("CHUHAI_")]:
        del os.environ[key]
    os.environ.update(CHUHAI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="chuhai.settings.production")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def run(work: Path, lines: int) -> dict:
    """Generate, import and reconcile; returns the figures."""
    from chuhai.channels.ingest.runner import import_file
    from chuhai.channels.models import ChannelAccount
    from chuhai.channels.services import create_account
    from chuhai.finance.models import Settlement
    from chuhai.finance.reconciliation import settlement_status, settlements

    path = work / "settlement_bench.txt"
    started = time.perf_counter()
    total = write_settlement(path, lines)
    generated_s = time.perf_counter() - started
    code = "BENCH-SETTLE"
    account = (ChannelAccount.objects.filter(code=code).first() or create_account(code, "amazon", "US"))
    if Settlement.objects.filter(account=account).exists():
        print("(the settlement is already in this database: this run measures a re-import)")

    started = time.perf_counter()
    result = import_file("amazon-settlement", path, account)
    imported_s = time.perf_counter() - started
    if result.status != "succeeded":
        raise SystemExit(f"import failed: {[str(e) for e in result.errors[:5]]}")
    started = time.perf_counter()
    settlement = Settlement.objects.get(account=account, settlement_id="19000000001")
    check = settlement_status(settlement)
    listed = [c for c in settlements(account=account) if c.pk == settlement.pk]
    reconciled_s = time.perf_counter() - started
    return {"lines": check.lines, "total": total, "generated_s": generated_s, "import_s": imported_s,
            "reconcile_s": reconciled_s, "difference": check.difference, "status": check.status,
            "unmatched": check.unmatched, "listed_difference": listed[0].difference if listed else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000, help="money rows in the file (default 200,000)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    if argv is None and _django_ready():
        argv = []  # called by another benchmark (benchmarks/finance.py): its command line is not ours
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chuhai-settlements-") as tmp:
        work = Path(tmp)
        if not _django_ready():
            setup_django(work / "data")
        figures = run(work, args.lines)
    elapsed = figures["import_s"] + figures["reconcile_s"]
    print(f"settlement import + reconcile: {figures['lines']:,} lines in {elapsed:.1f} s "
          f"(target ≤ {TARGET_S:.0f} s)  [import {figures['import_s']:.1f} s, reconcile "
          f"{figures['reconcile_s']:.1f} s; file generated in {figures['generated_s']:.1f} s]")
    difference = figures["difference"]
    print(f"difference: {difference:.2f} USD (must be 0.00); status {figures['status']}, "
          f"{figures['unmatched']:,} lines of orders not in chuhai")
    ok = difference == 0 and figures["listed_difference"] == 0 and elapsed <= TARGET_S
    if args.check and not ok:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
