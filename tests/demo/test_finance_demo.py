"""The demo's money, read back through chuhai's own services: every settlement reconciles, payouts carry an FX
result, orders of the open fortnight are estimates and the P&L adds up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chuhai.analytics.models import AdPerformance
from chuhai.finance.models import LedgerLine, PayoutReceipt, ProfitFact, Settlement
from chuhai.finance.reconciliation import settlements as settlement_checks
from chuhai.orders.models import OrderLine

pytestmark = pytest.mark.django_db


def test_every_demo_settlement_reconciles_to_zero(demo):
    assert demo["settlements"] > 0 and Settlement.objects.count() == demo["settlements"]
    for settlement in Settlement.objects.all():
        lines = sum(settlement.lines.values_list("amount", flat=True), Decimal(0))
        assert lines == settlement.total_amount == settlement.lines_total, settlement.settlement_id
    checks = settlement_checks(None, None)
    assert {check.status for check in checks} == {"reconciled"}
    # every order line of a settlement found its order, and every line type is one chuhai knows
    assert not LedgerLine.objects.filter(order__isnull=True).exclude(order_ref="").exists()
    assert not LedgerLine.objects.filter(category__in=["", "unknown"]).exists()
    assert not LedgerLine.objects.filter(base_amount__isnull=True).exists()


def test_payouts_received_carry_their_fx_result(demo):
    receipts = list(PayoutReceipt.objects.select_related("settlement"))
    assert receipts and len(receipts) == demo["payouts_received"]
    for receipt in receipts:
        assert receipt.currency == "CNY" and receipt.provider == "pingpong"
        assert receipt.fx_gain == receipt.base_amount - receipt.book_amount
        assert receipt.settlement.deposit_at.date() < receipt.received_on


def test_recent_orders_are_estimated_and_settled_orders_are_not(demo):
    facts = ProfitFact.objects.filter(kind="order_line")
    assert facts.count() == demo["profit_lines"]
    settled_orders = set(LedgerLine.objects.exclude(order=None).values_list("order_id", flat=True))
    for order_id, settled in facts.values_list("order_id", "settled"):
        assert settled == (order_id in settled_orders)
    latest = max(Settlement.objects.values_list("end_at", flat=True))
    assert facts.filter(settled=False, day__gt=latest.date() + dt.timedelta(days=1)).exists()
    assert not facts.filter(settled=True, day__gt=latest.date()).exists()
    # every sold line of the year has its profit row
    assert OrderLine.objects.filter(profit__isnull=True, order__status__in=(
        "shipped", "delivered", "returned", "refunded")).count() == 0


def test_ads_spend_is_what_the_settlements_charged(demo):
    assert AdPerformance.objects.exists()
    for settlement in Settlement.objects.all():
        charged = -sum(settlement.lines.filter(category="advertising").values_list("amount", flat=True),
                       Decimal(0))
        spent = sum(AdPerformance.objects.filter(
            account=settlement.account, start_date__gte=settlement.start_at.date(),
            start_date__lt=settlement.end_at.date()).values_list("spend", flat=True), Decimal(0))
        assert charged == spent, settlement.settlement_id
