"""A minimal order source for these tests (a double of our own parser layer, never of the database): a small CSV
with one row per order line, read with the real ingestion readers so errors carry real lines and columns."""

from __future__ import annotations

from chuhai.channels.ingest import values
from chuhai.channels.ingest.reading import ColumnSpec, cell, read_delimited
from chuhai.channels.ingest.records import LineRecord, OrderRecord
from chuhai.channels.ingest.sources import Source

HEADER = "order_id,time,sku,name,qty,amount,status"


class CsvOrders(Source):
    name = "test-orders"
    kind = "orders"
    platforms = ("amazon",)
    label = "Test orders CSV"

    def parse(self, payload, ctx, errors):
        table = read_delimited(payload, legacy=ctx.legacy_encoding)
        spec = ColumnSpec(table, required={k: (k,) for k in ("order_id", "time", "sku", "qty", "amount")},
                          optional={"name": ("name",), "status": ("status",)})
        for row in table.rows:
            order_id = cell(row, spec, "order_id", values.identifier, errors, required=True)
            when = cell(row, spec, "time", values.timestamp, errors, required=True)
            sku = cell(row, spec, "sku", values.text, errors, required=True)
            qty = cell(row, spec, "qty", values.integer, errors, required=True)
            amount = cell(row, spec, "amount", values.decimal, errors, required=True)
            if None in (order_id, when, sku, qty, amount):
                continue
            yield OrderRecord(
                line=row.line, external_id=order_id, purchased_at=when,
                status=cell(row, spec, "status", values.text, errors, default="shipped"), currency=ctx.currency,
                lines=[LineRecord(channel_sku=sku, quantity=qty, gross_amount=amount,
                                  product_name=cell(row, spec, "name", values.text, errors, default=""))],
            )


class BrokenOrders(CsvOrders):
    """A parser with a bug: the runner must log the run as failed and the CLI exit 1."""

    name = "test-broken"

    def parse(self, payload, ctx, errors):
        raise RuntimeError("parser bug")
        yield  # pragma: no cover


def orders_csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


#: Three orders on 2024-03-15/16: a mapped SKU (CBL-1, listed), an unknown one (MYSTERY-9) twice, one cancelled.
GOOD = orders_csv(
    "111-0000001-0000001,2024-03-15T10:00:00+00:00,CBL-1,Cable,2,19.98,shipped",
    "111-0000002-0000002,2024-03-15T11:00:00+00:00,MYSTERY-9,Mystery gadget,3,45.00,shipped",
    "111-0000003-0000003,2024-03-16T09:00:00+00:00,MYSTERY-9,Mystery gadget,1,15.00,cancelled",
)

#: Line 3 has a quantity that is not a number: the whole file must be rejected.
BAD = orders_csv(
    "111-0000011-0000011,2024-03-15T10:00:00+00:00,CBL-1,Cable,1,9.99,shipped",
    "111-0000012-0000012,2024-03-15T10:00:00+00:00,CBL-1,Cable,two,9.99,shipped",
)
