"""An order's figures as shown on its page: each total in the order currency and in the base currency.

The base figure is ``amount × order.fx_rate`` (the rate stored at the purchase date), rounded once to the base
currency's minor unit — the same arithmetic the dashboards do in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from chuhai.core.exports import money_text

TOTALS = [
    ("items_total", _("Items")),
    ("shipping_total", _("Shipping")),
    ("tax_total", _("Tax")),
    ("discount_total", _("Discounts")),
    ("order_total", _("Order total")),
]


@dataclass(frozen=True)
class TotalRow:
    label: str
    amount: str
    base_amount: str
    is_grand_total: bool


def total_rows(order) -> list[TotalRow]:
    return [
        TotalRow(
            str(label),
            money_text(getattr(order, name), order.currency),
            money_text(getattr(order, name) * order.fx_rate, order.base_currency),
            name == "order_total",
        )
        for name, label in TOTALS
    ]


@dataclass(frozen=True)
class LineRow:
    line_no: int
    sku: str
    product_id: int | None
    channel_sku: str
    quantity: int
    unit_price: str
    item_tax: str
    shipping: str
    discount: str
    amount: str


def line_rows(lines, currency: str) -> list[LineRow]:
    return [
        LineRow(
            line.line_no, line.product.sku if line.product else "", line.product_id, line.channel_sku, line.quantity,
            money_text(line.unit_price, currency), money_text(line.item_tax, currency),
            money_text(line.shipping, currency), money_text(line.discount, currency),
            money_text(line.item_amount, currency),
        )
        for line in lines
    ]
