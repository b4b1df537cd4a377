"""eBay Seller Hub "Orders report" CSV (Seller Hub → Orders → Download report), formats.md §3.1.

What the file looks like in practice:

- line 1 blank (or bare commas), the header on line 2, sometimes an empty padding row under it;
- footer rows at the end (``45,record(s) downloaded,from … to …``, ``Seller ID : …``), which are not orders;
- US headers (``Ship To City``, ``Shipping And Handling``, ``Shipped On Date``) or the UK/EU sentence-case ones
  (``Post to city``, ``Postage and packaging``, ``Dispatched on date``) — both are read through a synonym table;
- money with a currency symbol and thousands separators (``$45.99``, ``"$1,433.66"``, ``£12.00``);
- dates ``Jul-21-25`` (US) or ``21-Jul-25`` (UK), in the marketplace's time zone;
- a multi-item order is an order-level row (totals, no item) followed by one row per item, all with the same
  Order Number; a single-item order is one row carrying both.

The report has no status column: shipped/dispatched and paid dates decide it. ``eBay Collected Tax`` (US
marketplace-facilitator tax) marks the order's tax as the marketplace's, never the seller's revenue.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import ErrorCollector
from chuhai.channels.ingest.reading import ColumnSpec, Payload, Row, cell, read_delimited
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source

REQUIRED = {
    "order_number": ("Order Number",),
    "sale_date": ("Sale Date",),
    "item_number": ("Item Number",),
    "item_title": ("Item Title",),
    "quantity": ("Quantity",),
    "sold_for": ("Sold For",),
    "total": ("Total Price", "Total price"),
}
OPTIONAL = {
    "buyer_username": ("Buyer Username",),
    "custom_label": ("Custom Label",),
    "variation": ("Variation Details",),
    "shipping": ("Shipping And Handling", "Postage and packaging", "Postage And Packaging"),
    "seller_tax": ("Seller Collected Tax",),
    "ebay_tax": ("eBay Collected Tax",),
    "paid_date": ("Paid On Date",),
    "shipped_date": ("Shipped On Date", "Dispatched on date", "Dispatched On Date"),
    "transaction_id": ("Transaction ID",),
    "fulfilment_program": ("eBay Fulfillment Program", "eBay Fulfilment Programme", "eBay Fulfilment Program"),
    "ship_city": ("Ship To City", "Post to city"),
    "ship_state": ("Ship To State", "Post to county"),
    "ship_zip": ("Ship To Zip", "Post to postcode"),
    "ship_country": ("Ship To Country", "Post to country"),
}

#: Sale dates: US ``Jul-21-25``, UK ``21-Jul-25``; some exports add a time.
DATE_FORMATS = ("%b-%d-%y", "%d-%b-%y", "%b-%d-%y %H:%M:%S", "%d-%b-%y %H:%M:%S", "%b-%d-%Y", "%d-%b-%Y")
#: Programme cells that mean "not in the programme".
NOT_IN_PROGRAM = {"", "no", "n", "false", "-", "none"}


def is_footer(row: Row) -> bool:
    """``45,record(s) downloaded,from … to …`` / ``Seller ID : name`` closing lines."""
    cells = [values.text(c).casefold() for c in row.cells[:4]]
    return any("record(s) downloaded" in c for c in cells) or any(c.startswith("seller id") for c in cells if c)


class EbayOrdersReport(Source):
    name = "ebay-orders"
    kind = "orders"
    platforms = ("ebay",)
    label = gettext_lazy("eBay Seller Hub orders report")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        table = read_delimited(payload, legacy=ctx.legacy_encoding, delimiter=",",
                               is_header=lambda cells: "order number" in cells and "sale date" in cells)
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        zone = ctx.zone

        def date(value):
            return values.timestamp(value, formats=DATE_FORMATS, tz=zone)

        groups: dict[str, list[Row]] = {}
        for row in table.rows:
            if is_footer(row):
                continue
            if row.get(spec["order_number"]) is None and not _has_item(row, spec):
                continue  # the padding row under the header
            number = cell(row, spec, "order_number", values.identifier, errors, required=True)
            if number:
                groups.setdefault(number, []).append(row)
        for number, rows in groups.items():
            record = _order(number, rows, spec, ctx, date, errors)
            if record is not None:
                yield record


def _has_item(row: Row, spec: ColumnSpec) -> bool:
    return any(row.get(spec[key]) is not None for key in ("item_number", "item_title", "custom_label"))


def _order(number: str, rows: list[Row], spec: ColumnSpec, ctx: ParseContext, date,
           errors: ErrorCollector) -> OrderRecord | None:
    before = len(errors.errors)
    item_rows = [row for row in rows if _has_item(row, spec)]
    summary_rows = [row for row in rows if not _has_item(row, spec)]
    if not item_rows:
        errors.add(rows[0].line, spec.names["item_number"], None, f"order {number} has no item rows")
        return None
    head = summary_rows[0] if summary_rows else rows[0]

    def money(row: Row, key: str, *, required: bool = False) -> Decimal:
        return cell(row, spec, key, values.decimal, errors, required=required, default=ZERO)

    def row_with(key: str) -> Row:
        """The order-level row, or else the first row that has ``key`` (item rows may repeat order fields)."""
        if head.get(spec[key]) is not None:
            return head
        return next((r for r in rows if r.get(spec[key]) is not None), head)

    purchased_at = cell(row_with("sale_date"), spec, "sale_date", date, errors, required=True)
    paid = head.get(spec["paid_date"]) is not None or any(r.get(spec["paid_date"]) for r in item_rows)
    shipped_rows = [r for r in item_rows if r.get(spec["shipped_date"]) is not None]
    order_shipped = head.get(spec["shipped_date"]) is not None or len(shipped_rows) == len(item_rows)
    if order_shipped:
        status = "shipped"
    elif shipped_rows:
        status = "partially_shipped"
    else:
        status = "unshipped" if paid else "pending"

    # A separate order-level row carries the order's shipping, tax and total; otherwise each item row does.
    per_line = not summary_rows
    lines = []
    for row in item_rows:
        line = _line(row, spec, errors, per_line=per_line,
                     shipped=order_shipped or row.get(spec["shipped_date"]) is not None)
        if line is not None:
            lines.append(line)
    total_rows = item_rows if per_line else [head]
    order_total = sum((money(r, "total", required=True) for r in total_rows), ZERO)
    ebay_tax = sum((money(r, "ebay_tax") for r in total_rows), ZERO)
    seller_tax = sum((money(r, "seller_tax") for r in total_rows), ZERO)
    username = values.text(row_with("buyer_username").get(spec["buyer_username"]))
    ship_to = row_with("ship_country")
    country = values.country_or_blank(ship_to.get(spec["ship_country"]))
    program = values.text(row_with("fulfilment_program").get(spec["fulfilment_program"]))
    order_shipping = ZERO if per_line else money(head, "shipping")
    if len(errors.errors) > before or purchased_at is None:
        return None
    return OrderRecord(
        line=rows[0].line,
        external_id=number,
        purchased_at=purchased_at,
        status=status,
        currency=ctx.currency,
        lines=lines,
        fulfilment_channel="merchant" if program.casefold() in NOT_IN_PROGRAM else "3pl",
        ship_country=country,
        ship_region=values.text(ship_to.get(spec["ship_state"]))[:100],
        ship_city=values.text(ship_to.get(spec["ship_city"]))[:100],
        ship_postal=values.text(ship_to.get(spec["ship_zip"]))[:20],
        customer_ref=values.buyer_ref(username, "ebay") if username else "",
        tax_model="marketplace" if ebay_tax else ("seller" if seller_tax else ""),
        prices_include_tax=ctx.prices_include_tax,
        order_total=order_total,
        extra_shipping=order_shipping,
        extra_tax=ZERO if per_line else ebay_tax + seller_tax,
    )


def _line(row: Row, spec: ColumnSpec, errors: ErrorCollector, *, per_line: bool, shipped: bool) -> LineRecord | None:
    quantity = cell(row, spec, "quantity", values.integer, errors, required=True)
    price = cell(row, spec, "sold_for", values.decimal, errors, required=True)
    item_number = cell(row, spec, "item_number", values.identifier, errors, default="")
    line_id = cell(row, spec, "transaction_id", values.identifier, errors, default="")
    shipping = cell(row, spec, "shipping", values.decimal, errors, default=ZERO) if per_line else ZERO
    tax = ZERO
    if per_line:
        tax = (cell(row, spec, "ebay_tax", values.decimal, errors, default=ZERO)
               + cell(row, spec, "seller_tax", values.decimal, errors, default=ZERO))
    if quantity is None or price is None:
        return None
    if quantity <= 0:
        errors.add(row.line, spec.names["quantity"], quantity, "quantity must be at least 1")
        return None
    title = values.text(row.get(spec["item_title"]))
    variation = values.text(row.get(spec["variation"]))
    return LineRecord(
        channel_sku=values.text(row.get(spec["custom_label"])) or item_number,
        quantity=quantity,
        gross_amount=price * quantity,
        unit_price=price,
        item_tax=tax,
        shipping=shipping,
        external_line_id=line_id,
        product_name=_with_variation(title, variation)[:500],
        item_status="shipped" if shipped else "open",
    )


def _with_variation(title: str, variation: str) -> str:
    """``Edison bulb [Wattage:40W]``: eBay prints variations already bracketed, or sometimes bare."""
    if not variation:
        return title
    return f"{title} {variation}" if variation.startswith("[") else f"{title} [{variation}]"
