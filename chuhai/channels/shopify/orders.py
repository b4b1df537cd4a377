"""Shopify's Orders CSV export (Admin → Orders → Export), formats.md §2.1.

One row per line item. Order-level fields (Email, statuses, totals, addresses, Created at…) are filled only on an
order's first row; later rows repeat ``Name`` and the ``Lineitem …`` columns. ``Name`` is the order id as the
merchant sees it (``#1001`` or a custom ``1044``). Zip codes come as ``'1930000`` to keep leading zeros; Notes
may hold newlines; zero-decimal currencies (CLP, JPY) have no decimals.

Money mapping, checked on the real Chilean sample (Subtotal + Shipping + Taxes = Total):

- ``Lineitem price × Lineitem quantity`` → line ``gross_amount``; ``Lineitem discount`` → line ``discount``;
- ``Discount Amount`` beyond the line discounts → ``extra_discount`` (an order-level code such as ``KLIN5000``);
- ``Shipping`` → ``extra_shipping``; ``Taxes`` → ``extra_tax``; ``Total`` → ``order_total``;
- whether prices include tax is read from the order's own numbers (``Subtotal + Shipping = Total`` means the
  taxes are inside the prices, ``Subtotal + Shipping + Taxes = Total`` that they are added), because a store in a
  VAT market may still sell tax-exclusive — the real CLP store does. When the numbers cannot tell (no tax), the
  marketplace's usual practice applies.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import CellError, ErrorCollector
from chuhai.channels.ingest.reading import ColumnSpec, Payload, Row, cell, read_delimited
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source

REQUIRED = {
    "name": ("Name",),
    "financial_status": ("Financial Status",),
    "currency": ("Currency",),
    "total": ("Total",),
    "created_at": ("Created at",),
    "quantity": ("Lineitem quantity",),
    "price": ("Lineitem price",),
    "item_name": ("Lineitem name",),
}
OPTIONAL = {
    "email": ("Email",),
    "fulfillment_status": ("Fulfillment Status",),
    "subtotal": ("Subtotal",),
    "shipping": ("Shipping",),
    "taxes": ("Taxes",),
    "discount_code": ("Discount Code",),
    "discount_amount": ("Discount Amount",),
    "cancelled_at": ("Cancelled at",),
    "sku": ("Lineitem sku",),
    "line_discount": ("Lineitem discount",),
    "line_fulfillment": ("Lineitem fulfillment status",),
    "ship_city": ("Shipping City",),
    "ship_zip": ("Shipping Zip",),
    "ship_province": ("Shipping Province",),
    "ship_province_name": ("Shipping Province Name",),
    "ship_country": ("Shipping Country",),
}

#: Financial Status values (Shopify's vocabulary) that decide the status on their own, or need fulfilment.
CANCELLED_FINANCIAL = {"voided", "expired"}
UNPAID_FINANCIAL = {"pending", "authorized", "partially_paid"}
PAID_FINANCIAL = {"paid", "partially_refunded"}
KNOWN_FINANCIAL = CANCELLED_FINANCIAL | UNPAID_FINANCIAL | PAID_FINANCIAL | {"refunded"}
#: Fulfillment Status values; newer exports add fulfilment-order states that all mean "not shipped yet".
NOT_SHIPPED = {"", "unfulfilled", "pending", "open", "scheduled", "on_hold", "on hold", "in_progress", "in progress"}
KNOWN_FULFILLMENT = NOT_SHIPPED | {"fulfilled", "partial", "restocked"}

MAX_SKU = 100


def shopify_status(financial: str, fulfillment: str, cancelled: bool) -> str:
    """Our OrderStatus from Shopify's Financial Status × Fulfillment Status × Cancelled at.

    Cancelled (or voided/expired payment) wins; then refunded; then what has left the warehouse (a pay-on-delivery
    order ships before it is paid); then payment: unpaid → pending, paid → unshipped."""
    if cancelled or financial in CANCELLED_FINANCIAL:
        return "cancelled"
    if financial == "refunded":
        return "refunded"
    if fulfillment == "restocked":
        return "returned"
    if fulfillment == "fulfilled":
        return "shipped"
    if fulfillment == "partial":
        return "partially_shipped"
    return "pending" if financial in UNPAID_FINANCIAL else "unshipped"


def sku_for(sku: str, item_name: str) -> str:
    """The line's channel SKU. Shopify products often have no SKU; their title (with variant) is then the only
    key a person can map, so it stands in — shortened with a digest of the full title when too long."""
    return sku or values.sku_from_label(item_name, MAX_SKU)


def taxes_included(subtotal, shipping, taxes, total, default: bool) -> bool:
    """Whether the order's prices include its taxes, from its own totals (see the module docstring)."""
    if None in (subtotal, total) or not taxes:
        return default
    shipping = shipping or ZERO
    if subtotal + shipping + taxes == total:
        return False
    if subtotal + shipping == total:
        return True
    return default


def _lower(value) -> str:
    return values.text(value).casefold()


class ShopifyOrdersCsv(Source):
    name = "shopify-orders"
    kind = "orders"
    platforms = ("shopify",)
    label = gettext_lazy("Shopify orders CSV")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        table = read_delimited(payload, legacy=ctx.legacy_encoding, delimiter=",",
                               is_header=lambda cells: "name" in cells and any(c.startswith("lineitem") for c in cells))
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        for name, rows in _order_groups(table.rows, spec, errors):
            record = _order(name, rows, spec, ctx, errors)
            if record is not None:
                yield record


def _order_groups(rows: Iterator[Row], spec: ColumnSpec, errors: ErrorCollector) -> Iterator[tuple[str, list[Row]]]:
    """Consecutive rows with the same Name form one order; an order whose rows are split apart is an error
    (joining them silently could merge two different orders)."""
    current: list[Row] = []
    current_name = None
    finished: set[str] = set()
    for row in rows:
        name = cell(row, spec, "name", values.identifier, errors, required=True)
        if not name:
            continue
        if name != current_name:
            if current:
                yield current_name, current
                finished.add(current_name)
            if name in finished:
                errors.add(row.line, spec.names["name"], name,
                           "this order's rows are not next to each other; export the orders again")
            current, current_name = [], name
        current.append(row)
    if current:
        yield current_name, current


def _order(name: str, rows: list[Row], spec: ColumnSpec, ctx: ParseContext,
           errors: ErrorCollector) -> OrderRecord | None:
    first = rows[0]
    before = len(errors.errors)

    def money(key: str, *, required: bool = False):
        return cell(first, spec, key, values.decimal, errors, required=required)

    financial = _lower(first.get(spec["financial_status"]))
    if financial and financial not in KNOWN_FINANCIAL:
        errors.add(first.line, spec.names["financial_status"], financial, "unknown Shopify financial status")
    elif not financial:
        errors.add(first.line, spec.names["financial_status"], None,
                   "value required on the order's first row (is this row's order split over two files?)")
    fulfillment = _lower(first.get(spec["fulfillment_status"]))
    if fulfillment not in KNOWN_FULFILLMENT:
        errors.add(first.line, spec.names["fulfillment_status"], fulfillment, "unknown Shopify fulfillment status")
    cancelled = first.get(spec["cancelled_at"]) is not None
    status = shopify_status(financial, fulfillment, cancelled)

    purchased_at = cell(first, spec, "created_at", values.timestamp, errors, required=True)
    currency = cell(first, spec, "currency", values.currency_code, errors, default=ctx.currency)
    subtotal, shipping, taxes = money("subtotal"), money("shipping"), money("taxes")
    total = money("total", required=True)
    discount_amount = money("discount_amount") or ZERO

    lines = []
    for row in rows:
        line = _line(row, spec, status, errors)
        if line is not None:
            lines.append(line)
    country = _ship_country(first, spec, errors)
    if len(errors.errors) > before or purchased_at is None or total is None:
        return None

    line_discounts = sum((line.discount for line in lines), ZERO)
    email = values.text(first.get(spec["email"]))
    return OrderRecord(
        line=first.line,
        external_id=name,
        purchased_at=purchased_at,
        status=status,
        currency=currency,
        lines=lines,
        fulfilment_channel="merchant",
        ship_country=country,
        ship_region=values.text(first.get(spec["ship_province_name"]) or first.get(spec["ship_province"])),
        ship_city=values.text(first.get(spec["ship_city"])),
        ship_postal=values.text(first.get(spec["ship_zip"])),
        customer_ref=values.buyer_ref(email) if email else "",
        tax_model="seller",
        prices_include_tax=taxes_included(subtotal, shipping, taxes, total, ctx.prices_include_tax),
        promotion_ids=values.text(first.get(spec["discount_code"]))[:500],
        order_total=total,
        extra_shipping=shipping or ZERO,
        extra_discount=max(discount_amount - line_discounts, ZERO),
        extra_tax=taxes or ZERO,
    )


def _line(row: Row, spec: ColumnSpec, status: str, errors: ErrorCollector) -> LineRecord | None:
    quantity = cell(row, spec, "quantity", values.integer, errors, required=True)
    price = cell(row, spec, "price", values.decimal, errors, required=True)
    discount = cell(row, spec, "line_discount", values.decimal, errors, default=ZERO)
    item_name = values.text(row.get(spec["item_name"]))
    if quantity is None or price is None:
        return None
    if quantity < 0:
        errors.add(row.line, spec.names["quantity"], quantity, "quantity cannot be negative")
        return None
    if quantity == 0:
        return None  # an item removed by an order edit: Shopify keeps the row, nothing was sold
    if discount < 0:
        errors.add(row.line, spec.names["line_discount"], discount, "a discount cannot be negative")
        return None
    line_state = _lower(row.get(spec["line_fulfillment"]))
    if status == "cancelled" or line_state == "restocked":
        item_status = "cancelled"
    elif line_state == "fulfilled" or (spec["line_fulfillment"] is None and status == "shipped"):
        item_status = "shipped"
    else:
        item_status = "open"
    return LineRecord(
        channel_sku=sku_for(values.text(row.get(spec["sku"])), item_name),
        quantity=quantity,
        gross_amount=price * quantity,
        unit_price=price,
        discount=discount,
        product_name=item_name[:500],
        item_status=item_status,
    )


def _ship_country(row: Row, spec: ColumnSpec, errors: ErrorCollector) -> str:
    raw = row.get(spec["ship_country"])
    if raw is None:
        return ""
    try:
        return values.country_code(raw)
    except CellError as exc:
        errors.add(row.line, spec.names["ship_country"], raw, exc.message)
        return ""

