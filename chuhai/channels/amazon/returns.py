"""Amazon FBA customer returns (``GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA``, TSV) →
:class:`~chuhai.channels.ingest.records.ReturnRecord`.

One row per returned unit, identified by its licence plate number (LPN); ``return-date`` is ISO 8601 with an
offset. Disposition and reason are Amazon codes (``CUSTOMER_DAMAGED``, ``NOT_AS_DESCRIBED`` …) and are kept as codes
(upper case, spaces → ``_``) so a hand-edited ``Customer damaged`` lands on the same value; the lists are open-ended,
so an unknown code is stored rather than refused. ``status`` is a phrase (``Unit returned to inventory``,
``Reimbursed``) kept as written. ``customer-comments`` is pipe-joined (``Not Compatible|Wifi``): empty parts and edge
spaces are dropped.

Rows are the same return when order, SKU, LPN and time agree: without an LPN (older reports) their quantities add
up (units of one return); with one, the repeat is the same unit listed twice and is kept once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from chuhai.logistics.models import CustomerReturn

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector
from ..ingest.reading import ColumnSpec, Payload, cell, read_table
from ..ingest.records import ReturnRecord
from ..ingest.sources import ParseContext, Source
from .fba_inventory import MAX_COUNT, bounded, failed

REQUIRED = {
    "returned_at": ("return-date", "return date"),
    "order_ref": ("order-id", "order id"),
    "sku": ("sku", "seller-sku"),
    "quantity": ("quantity",),
}
OPTIONAL = {
    "asin": ("asin",),
    "fnsku": ("fnsku",),
    "product_name": ("product-name", "product name"),
    "fulfillment_center": ("fulfillment-center-id", "fulfillment center id"),
    "disposition": ("detailed-disposition", "detailed disposition", "disposition"),
    "reason": ("reason",),
    "status": ("status",),
    "license_plate": ("license-plate-number", "license plate number", "lpn"),
    "customer_comments": ("customer-comments", "customer comments"),
}


def _max_length(field: str) -> int:
    return CustomerReturn._meta.get_field(field).max_length


def code(value) -> str:
    """``Customer damaged`` / ``customer-damaged`` → ``CUSTOMER_DAMAGED``."""
    return re.sub(r"[\s\-]+", "_", values.text(value)).upper()


def comments(value) -> str:
    return "|".join(part.strip() for part in values.text(value).split("|") if part.strip())


def units(value) -> int:
    result = values.integer(value)
    if result <= 0:
        raise CellError("a returned quantity must be at least 1", values.text(value))
    if result > MAX_COUNT:
        raise CellError("implausibly large quantity", values.text(value))
    return result


def _is_header(cells: list[str]) -> bool:
    return any(c in cells for c in ("order-id", "order id")) and any(c in cells for c in ("return-date", "return date"))


class CustomerReturnsReport(Source):
    name = "amazon-returns"
    kind = "returns"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon FBA customer returns")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[ReturnRecord]:
        table = read_table(payload, legacy=ctx.legacy_encoding, is_header=_is_header)
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
        limited = {
            key: bounded(parse, _max_length(key))
            for key, parse in (("asin", values.identifier), ("fnsku", values.identifier),
                               ("fulfillment_center", values.text), ("disposition", code), ("reason", code),
                               ("status", values.text), ("license_plate", values.identifier))
        }
        found: dict[tuple, ReturnRecord] = {}
        for row in table.rows:
            before = len(errors.errors)
            returned_at = cell(row, spec, "returned_at", lambda v: values.timestamp(v, tz=ctx.zone), errors,
                               required=True)
            order_ref = cell(row, spec, "order_ref", values.amazon_order_id, errors, required=True)
            sku = cell(row, spec, "sku", bounded(values.identifier, _max_length("sku")), errors, required=True)
            quantity = cell(row, spec, "quantity", units, errors, required=True)
            fields = {key: cell(row, spec, key, parse, errors, default="") for key, parse in limited.items()}
            product_name = cell(row, spec, "product_name", values.text, errors, default="")
            remarks = cell(row, spec, "customer_comments", comments, errors, default="")
            if returned_at is None or order_ref is None or quantity is None or not sku or failed(errors, before):
                continue
            key = (order_ref, sku, fields["license_plate"], returned_at)
            if key in found:
                if not fields["license_plate"]:
                    found[key].quantity += quantity
                continue
            found[key] = ReturnRecord(
                line=row.line, returned_at=returned_at, order_ref=order_ref, sku=sku, quantity=quantity,
                product_name=product_name[:_max_length("product_name")], customer_comments=remarks, **fields,
            )
        yield from found.values()
