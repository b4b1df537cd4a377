"""Amazon FBA inventory reports → :class:`~chuhai.channels.ingest.records.FbaInventoryRecord` (one per SKU × FNSKU).

Two report types are accepted, told apart by their header:

- **Manage FBA Inventory** (``GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA``, TSV): one row per SKU with every AFN
  quantity. ``afn-listing-exists``/``mfn-listing-exists`` are ``Yes``/``No``; quantities are empty for
  merchant-fulfilled SKUs; ``your-price`` is locale-formatted and is not read (a snapshot records units, not prices).
  A row with no FBA listing and no FBA units (an MFN-only SKU) is not FBA inventory and is skipped.
- **FBA inventory (AFN)** (``GET_AFN_INVENTORY_DATA``, mixed-case header ``Warehouse-Condition-code``,
  ``Quantity Available``): one row per SKU × warehouse condition; the ``SELLABLE`` and ``UNSELLABLE`` rows of one
  SKU merge into one record (fulfillable / unsellable; in-warehouse and total are their sum).

Neither report states the day it describes, so the snapshot date is the ``snapshot_date`` option when the caller
gives one (``YYYY-MM-DD``), else *today in the marketplace's time zone* — import a report on the day it was
downloaded, or pass the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from chuhai.inventory.models import FbaInventorySnapshot

from ..ingest import values
from ..ingest.errors import CellError, ErrorCollector, FileRejected, RowError
from ..ingest.reading import ColumnSpec, Payload, Row, cell, read_table
from ..ingest.records import FbaInventoryRecord
from ..ingest.sources import ParseContext, Source

#: MYI quantity columns → record fields. Empty cells (MFN-only SKUs) count as 0.
MYI_QUANTITIES = {
    "fulfillable": ("afn-fulfillable-quantity",),
    "unsellable": ("afn-unsellable-quantity",),
    "reserved": ("afn-reserved-quantity",),
    "warehouse_total": ("afn-warehouse-quantity",),
    "total": ("afn-total-quantity",),
    "inbound_working": ("afn-inbound-working-quantity",),
    "inbound_shipped": ("afn-inbound-shipped-quantity",),
    "inbound_receiving": ("afn-inbound-receiving-quantity",),
    "researching": ("afn-researching-quantity",),
}
DESCRIPTIVE = {
    "fnsku": ("fnsku", "fulfillment-channel-sku"),
    "asin": ("asin",),
    "product_name": ("product-name", "product name", "title"),
    "condition": ("condition", "condition-type"),
}
WAREHOUSE_CONDITIONS = {"SELLABLE": "fulfillable", "UNSELLABLE": "unsellable"}


def _max_length(field: str) -> int:
    return FbaInventorySnapshot._meta.get_field(field).max_length


def bounded(parse, limit: int):
    """``parse`` then refuse values longer than the column that stores them (PostgreSQL would fail the file)."""

    def parse_bounded(value):
        result = parse(value)
        if len(result) > limit:
            raise CellError(f"longer than {limit} characters", result)
        return result

    return parse_bounded


#: The largest count an integer column holds (PostgreSQL ``integer``).
MAX_COUNT = 2**31 - 1


def quantity(value) -> int:
    result = values.integer(value)
    if result < 0:
        raise CellError("a quantity cannot be negative", values.text(value))
    if result > MAX_COUNT:
        raise CellError("implausibly large quantity", values.text(value))
    return result


def failed(errors: ErrorCollector, before: int) -> bool:
    """Did the row being read add an error (``before`` = the error count when it started)? Such a row yields no
    record: the file will be rejected, and a record built from defaults would only mislead."""
    return len(errors.errors) != before or errors.truncated


def snapshot_date(ctx: ParseContext) -> dt.date:
    """The ``snapshot_date`` option (date or ``YYYY-MM-DD``), else today in the marketplace's zone."""
    given = ctx.options.get("snapshot_date")
    if given in (None, ""):
        return dt.datetime.now(ctx.zone).date()
    if isinstance(given, dt.datetime):
        return given.date()
    if isinstance(given, dt.date):
        return given
    try:
        return dt.date.fromisoformat(str(given).strip())
    except ValueError as exc:
        raise FileRejected(ctx.file_name, [RowError(None, "snapshot_date", str(given),
                                                    "the snapshot date must be YYYY-MM-DD")]) from exc


def _is_header(cells: list[str]) -> bool:
    return "sku" in cells or "seller-sku" in cells


class FbaInventoryReport(Source):
    name = "amazon-fba-inventory"
    kind = "fba_inventory"
    platforms = ("amazon",)
    label = gettext_lazy("Amazon FBA inventory (Manage FBA Inventory / AFN inventory)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[FbaInventoryRecord]:
        day = snapshot_date(ctx)
        table = read_table(payload, legacy=ctx.legacy_encoding, is_header=_is_header)
        if table.columns.find("warehouse-condition-code") is not None:
            yield from self._afn(table, day, errors)
        else:
            yield from self._myi(table, day, errors)

    # -- Manage FBA Inventory (one row per SKU) --------------------------------------------------------------
    def _myi(self, table, day: dt.date, errors: ErrorCollector) -> Iterator[FbaInventoryRecord]:
        spec = ColumnSpec(
            table,
            required={"sku": ("sku",), "fulfillable": MYI_QUANTITIES["fulfillable"]},
            optional={**{k: v for k, v in MYI_QUANTITIES.items() if k != "fulfillable"}, **DESCRIPTIVE,
                      "afn_listing": ("afn-listing-exists",)},
        )
        seen: dict[tuple[str, str], int] = {}
        for row in table.rows:
            before = len(errors.errors)
            ids = self._identity(row, spec, errors)
            counts = {key: cell(row, spec, key, quantity, errors, default=0) for key in MYI_QUANTITIES}
            afn_listing = cell(row, spec, "afn_listing", values.boolean, errors)
            if ids is None:
                continue
            if afn_listing is False and not any(counts.values()) and not failed(errors, before):
                continue  # merchant-fulfilled only: nothing at Amazon
            key = (ids["sku"], ids["fnsku"])
            if key in seen:
                errors.add(row.line, spec.names["sku"], ids["sku"], f"SKU listed twice (first on line {seen[key]})")
                continue
            seen[key] = row.line
            if failed(errors, before):
                continue
            yield FbaInventoryRecord(line=row.line, snapshot_date=day, **ids, **counts)

    # -- AFN inventory (one row per SKU × warehouse condition) ------------------------------------------------
    def _afn(self, table, day: dt.date, errors: ErrorCollector) -> Iterator[FbaInventoryRecord]:
        spec = ColumnSpec(
            table,
            required={"sku": ("seller-sku", "sku"), "fnsku": ("fulfillment-channel-sku", "fnsku"),
                      "warehouse_condition": ("warehouse-condition-code",), "quantity": ("quantity available",)},
            optional={k: v for k, v in DESCRIPTIVE.items() if k != "fnsku"},
        )
        merged: dict[tuple[str, str], FbaInventoryRecord] = {}
        seen: dict[tuple[str, str, str], int] = {}
        for row in table.rows:
            before = len(errors.errors)
            ids = self._identity(row, spec, errors)
            code = cell(row, spec, "warehouse_condition", values.text, errors, required=True)
            units = cell(row, spec, "quantity", quantity, errors, required=True)
            target = WAREHOUSE_CONDITIONS.get((code or "").upper())
            if code and target is None:
                errors.add(row.line, spec.names["warehouse_condition"], code,
                           "unknown warehouse condition (expected SELLABLE or UNSELLABLE)")
            if ids is None or target is None or units is None or failed(errors, before):
                continue
            key = (ids["sku"], ids["fnsku"])
            if (*key, target) in seen:
                errors.add(row.line, spec.names["warehouse_condition"], code,
                           f"this SKU's {code.upper()} quantity is already on line {seen[(*key, target)]}")
                continue
            seen[(*key, target)] = row.line
            record = merged.get(key)
            if record is None:
                record = merged[key] = FbaInventoryRecord(line=row.line, snapshot_date=day, **ids)
            else:
                record.asin = record.asin or ids["asin"]
                record.product_name = record.product_name or ids["product_name"]
                record.condition = record.condition or ids["condition"]
            setattr(record, target, units)
            record.warehouse_total = record.total = record.fulfillable + record.unsellable
        yield from merged.values()

    @staticmethod
    def _identity(row: Row, spec: ColumnSpec, errors: ErrorCollector) -> dict | None:
        sku = cell(row, spec, "sku", bounded(values.identifier, _max_length("sku")), errors, required=True)
        result = {
            "sku": sku,
            "fnsku": cell(row, spec, "fnsku", bounded(values.identifier, _max_length("fnsku")), errors, default=""),
            "asin": cell(row, spec, "asin", bounded(values.identifier, _max_length("asin")), errors, default=""),
            "product_name": cell(row, spec, "product_name", values.text, errors,
                                 default="")[:_max_length("product_name")],
            "condition": cell(row, spec, "condition", bounded(values.text, _max_length("condition")), errors,
                              default=""),
        }
        return result if sku else None
