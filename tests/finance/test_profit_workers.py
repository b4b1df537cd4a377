"""A recompute by worker processes (chuhai.finance.profit_workers) stores exactly the rows of a recompute in one
process, and a failing worker changes nothing.

The workers read committed data through their own connections, so these tests commit (``transaction=True``). The
run is made parallel on a small data set by lowering the thresholds and the chunk size: many order ranges, dealt
to two workers in turn, with period fees whose allocation needs both workers' sales.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.finance import profit, profit_workers
from chuhai.finance.cost_layers import CostOfSale
from chuhai.finance.profit import recompute
from chuhai.finance.profit_facts import ProfitFact
from chuhai.orders.models import OrderLine
from tests.finance.test_profit_engine import company, ledger, order, product

pytestmark = pytest.mark.django_db(transaction=True)
D = Decimal
FIELDS = [f.attname for f in ProfitFact._meta.concrete_fields if f.name not in ("id", "computed_at")]


def business():
    """Two accounts over two months: settled and estimated orders, a credit note, a cancelled item, costs of sale
    for some lines, and storage fees with no order (spread over the month's SKUs)."""
    from chuhai.channels.services import create_account

    company("EUR", "Europe/Berlin")
    de = create_account("AMZ-DE", "amazon", "DE")
    us = create_account("SHOP-US", "shopify", "US")
    items = [product(f"SKU-{i}", cost=f"{2 + i}.50", cost_currency="EUR") for i in range(6)]
    n = 0
    for month in (3, 4):
        for day in range(1, 21):
            n += 1
            account = de if n % 3 else us
            first, second = items[n % 6], items[(n + 1) % 6]
            lines = [{"product": first, "qty": 1 + n % 2, "gross": f"{10 + n}.90"}]
            if n % 4 == 0:
                lines.append({"product": second, "qty": 1, "gross": "7.49", "shipping": "2.00"})
            ref = f"O-{n:03d}"
            created = order(account, ref, dt.date(2026, month, day), lines, ship_country="FR" if n % 5 else "DE",
                            fx_rate="1" if account is de else "0.92", fulfilment="fba" if account is de else "merchant")
            if n % 7 == 0:
                created.lines.filter(line_no=1).update(item_status="cancelled")
            if n % 2 == 0:  # settled: the platform's lines
                ledger(account, ref, [
                    ("Order", "ItemPrice", "Principal", f"{10 + n}.90", first.sku),
                    ("Order", "ItemFees", "Commission", f"-{1 + n % 3}.64", first.sku),
                    ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", "-3.10", ""),
                ], dt.date(2026, month, min(day + 2, 28)), settlement_ref=f"S-{month}")
        ledger(de, "", [("other-transaction", "other-transaction", "Storage Fee", "-41.17", "")],
               dt.date(2026, month, 27), settlement_ref=f"S-{month}")
    cost_lines = OrderLine.objects.filter(order__external_id__in=["O-003", "O-010", "O-024"])
    for line in cost_lines:
        CostOfSale.objects.create(order_line=line, product=line.product, quantity=line.quantity,
                                  unit_cost=D("4.25"), amount=D("4.25") * line.quantity, at=line.order.purchased_at)


def stored():
    return list(ProfitFact.objects.order_by("kind", "order_line_id", "account_id", "sku", "month").values_list(*FIELDS))


@pytest.fixture
def parallel(monkeypatch):
    monkeypatch.setattr(profit_workers, "PARALLEL_MIN_ORDERS", 0)
    monkeypatch.setattr(profit, "CHUNK", 3)


def test_workers_store_the_rows_of_a_run_in_one_process(parallel):
    business()
    serial = recompute(workers=1)
    one_process = stored()
    assert serial.workers == 1
    assert serial.lines == OrderLine.objects.count() and serial.allocated_rows > 0

    summary = recompute(workers=2)

    assert summary.workers == 2  # the run was split (40 orders in 14 ranges of 3)
    assert stored() == one_process
    for name in ("orders", "lines", "settled_lines", "cogs_estimated", "allocated_rows", "unallocated_rows",
                 "period_fees", "fees_not_estimated", "fx_missing"):
        assert getattr(summary, name) == getattr(serial, name), name


def test_a_range_recompute_by_workers_keeps_the_other_months(parallel):
    business()
    recompute(workers=1)
    march = ProfitFact.objects.filter(month=dt.date(2026, 3, 1)).count()
    april_before = stored_month(dt.date(2026, 4, 1))

    summary = recompute(dt.date(2026, 4, 1), dt.date(2026, 4, 30), workers=2)

    assert summary.workers == 2
    assert ProfitFact.objects.filter(month=dt.date(2026, 3, 1)).count() == march
    assert stored_month(dt.date(2026, 4, 1)) == april_before


def stored_month(month):
    return list(ProfitFact.objects.filter(month=month).order_by("kind", "order_line_id", "sku").values_list(*FIELDS))


def test_a_dead_worker_fails_the_run_and_leaves_the_old_rows(parallel, monkeypatch):
    import os
    import signal

    business()
    recompute(workers=1)
    before = stored()
    real_start = profit_workers.start

    def start_and_kill_one(*args):
        workers = real_start(*args)
        os.kill(workers.processes[0].pid, signal.SIGKILL)  # as the OOM killer would
        return workers

    monkeypatch.setattr(profit_workers, "start", start_and_kill_one)
    with pytest.raises(profit_workers.WorkerFailed, match="profit worker 0 stopped without a word"):
        recompute(workers=2)
    assert stored() == before


def test_small_runs_and_runs_inside_a_transaction_stay_in_one_process(monkeypatch):
    from django.db import transaction

    business()
    monkeypatch.setattr(profit, "CHUNK", 3)
    assert recompute(workers=2).workers == 1  # 40 orders: under PARALLEL_MIN_ORDERS
    monkeypatch.setattr(profit_workers, "PARALLEL_MIN_ORDERS", 0)
    with transaction.atomic():  # workers could not see this transaction's data
        assert recompute(workers=2).workers == 1
    assert recompute(workers=2).workers == 2


def index_names():
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ProfitFact._meta.db_table)
    return sorted(name for name, info in constraints.items() if info["index"])


def test_a_big_run_rebuilds_the_indexes_and_stores_the_same_rows(parallel, monkeypatch):
    business()
    recompute(workers=1)
    one_process, indexes = stored(), index_names()
    assert "profit_fact_sku_month_idx" in indexes
    monkeypatch.setattr(profit, "INDEX_REBUILD_MIN_ORDERS", 1)  # SQLite drops and rebuilds them; elsewhere a no-op

    recompute(workers=2)

    assert stored() == one_process
    assert index_names() == indexes


def test_cli_rebuild_by_workers(parallel, capsys):
    from chuhai.cli.main import main

    business()
    assert main(["profit", "rebuild", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert "by 2 processes: 50 order lines of 40 orders" in out
    rows = stored()
    assert main(["profit", "rebuild", "--workers", "1"]) == 0
    assert "processes" not in capsys.readouterr().out and stored() == rows
    assert main(["profit", "rebuild", "--workers", "0"]) == 1
    assert "--workers must be at least 1" in capsys.readouterr().err
