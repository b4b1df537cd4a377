"""Six SKUs for the products page, every figure worked out by hand.

Company: base CNY, time zone Asia/Shanghai. Accounts AMZ-US (amazon, US) and SHOPEE-SG (shopee, SG). All orders
in March 2026 at noon UTC (same Shanghai day); fx_rate 1 so that net sales = unit price × quantity.

| order | account   | day   | lines                                   | ship |
|-------|-----------|-------|-----------------------------------------|------|
| PA    | AMZ-US    | 03-03 | SKU-A 5 × 100.00 = 500.00               | US   |
| PB1   | AMZ-US    | 03-04 | SKU-B 2 × 100.00 = 200.00               | US   |
| PB2   | AMZ-US    | 03-05 | SKU-B 1 × 150.00, SKU-F 1 × 20.00       | DE   |
| PF    | AMZ-US    | 03-06 | credit: SKU-F −1 × 20.00                | DE   |
| PS1   | SHOPEE-SG | 03-07 | SKU-C 3 × 20.00 = 60.00, SKU-D 1 × 50.00 | SG   |
| PS2   | SHOPEE-SG | 03-08 | SKU-E 4 × 10.00 = 40.00                 | SG   |

Per SKU: A 500.00 (5 units, 1 order), B 350.00 (3 units, 2 orders), C 60.00, D 50.00, E 40.00, F 0.00 (1 sold,
1 credited: return rate 100 %). Positive total P = 1000.00 = total net sales.

ABC (cumulative share where each SKU starts → ends, of 1000):
    A   0 →  50   A
    B  50 →  85   A  (straddles 80 %: starts below)
    C  85 →  91   B
    D  91 →  96   B  (straddles 95 %: starts below)
    E  96 → 100   C
    F  net 0      C  (no positive net sales)
Classes: A 2 SKUs 850.00 = 85.00 %; B 2 SKUs 110.00 = 11.00 %; C 2 SKUs 40.00 = 4.00 %.

Categories: A, B, F "cables"; C, D, E "chargers". Profit row: SKU-A on 03-03 revenue 500.00, cogs −200.00,
platform fees −50.00 → gross profit 300.00, contribution 250.00, margin 250 ÷ 500 = 50.00 %.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chuhai.catalog.services import create_product
from chuhai.channels.services import create_account
from chuhai.finance.profit_facts import ProfitFact

from .ml_builders import company, make_order, utc

D = Decimal
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


def products_shop() -> dict:
    company()
    us = create_account("AMZ-US", "amazon", "US")
    sg = create_account("SHOPEE-SG", "shopee", "SG")
    made = {}
    for sku, category in (("SKU-A", "cables"), ("SKU-B", "cables"), ("SKU-C", "chargers"),
                          ("SKU-D", "chargers"), ("SKU-E", "chargers"), ("SKU-F", "cables")):
        product = create_product(sku, name_en=f"Product {sku}", name_zh=f"产品 {sku}")
        product.category = category
        product.save()
        made[sku] = product
    a, b, c, d, e, f = (made[k] for k in ("SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E", "SKU-F"))
    pa, pa_lines = make_order(us, "PA", utc(2026, 3, 3, 4), "1", [(a, 5, "100.00")], customer="k1", ship="US")
    make_order(us, "PB1", utc(2026, 3, 4, 4), "1", [(b, 2, "100.00")], customer="k2", ship="US")
    make_order(us, "PB2", utc(2026, 3, 5, 4), "1", [(b, 1, "150.00"), (f, 1, "20.00")], customer="k3", ship="DE")
    make_order(us, "PF", utc(2026, 3, 6, 4), "1", [(f, -1, "20.00")], status="refunded", customer="k3", ship="DE",
               document_type="credit")
    make_order(sg, "PS1", utc(2026, 3, 7, 4), "1", [(c, 3, "20.00"), (d, 1, "50.00")], customer="k4", ship="SG")
    make_order(sg, "PS2", utc(2026, 3, 8, 4), "1", [(e, 4, "10.00")], customer="k5", ship="SG")
    amounts = {"revenue": D("500.00"), "cogs": D("-200.00"), "platform_fees": D("-50.00")}
    ProfitFact.objects.create(
        kind="order_line", order_line=pa_lines[0], order=pa, account=us, product=a, sku="SKU-A",
        listing_sku=pa_lines[0].channel_sku, marketplace="US", ship_country="US", day=dt.date(2026, 3, 3),
        month=dt.date(2026, 3, 1), units=5, currency="CNY", profit=sum(amounts.values(), D(0)), settled=True,
        **amounts)
    return {"us": us, "sg": sg, **made}
