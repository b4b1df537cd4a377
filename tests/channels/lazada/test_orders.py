"""Lazada's order export (formats.md §4.2): one row per item, two columns named ``status``, ``createTime`` like
``10 May 2026 06:23``, negative seller discounts, fullwidth commas, Excel-mangled order numbers."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.lazada.orders import LazadaOrdersExport, order_status
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

FIXTURE = Path(__file__).parent / "fixtures" / "orders_my.csv"
UTC = dt.UTC


@pytest.fixture
def account(db):
    return create_account("LAZ-MY", "lazada", "MY")


def parse(account, payload: Payload):
    errors = ErrorCollector(payload.name)
    records = list(LazadaOrdersExport().parse(payload, ParseContext(account=account, file_name=payload.name), errors))
    return {r.external_id: r for r in records}, errors.errors


def fixture_rows() -> tuple[list[str], list[list[str]]]:
    with FIXTURE.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def as_csv(header, rows) -> Payload:
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    return Payload("orders.csv", out.getvalue().encode("utf-8"))


def test_items_are_grouped_by_order_number(account):
    orders, errors = parse(account, load_payload(FIXTURE))
    assert errors == []
    assert list(orders) == ["300123456789012", "300123456789020", "300123456789030"]
    serum = orders["300123456789012"]
    assert [(ln.external_line_id, ln.channel_sku, ln.quantity, ln.gross_amount, ln.discount, ln.shipping)
            for ln in serum.lines] == [
        ("300123456789013", "SERUM-30ML", 1, Decimal("59.90"), Decimal("5.00"), Decimal("4.90")),
        ("300123456789014", "SERUM-30ML", 1, Decimal("59.90"), Decimal("5.00"), Decimal("0.00")),
    ]
    assert serum.lines[0].product_name == "Vitamin C Serum, 30ml (30ml)"
    assert (serum.currency, serum.prices_include_tax, serum.ship_country, serum.ship_region, serum.ship_postal) == (
        "MYR", True, "MY", "Kuala Lumpur", "50450")
    assert serum.customer_ref == hashlib.sha256(b"buyer.one@example.com").hexdigest()


def test_times_are_malaysian_local_time(account):
    orders, _ = parse(account, load_payload(FIXTURE))
    serum = orders["300123456789012"]
    assert serum.purchased_at == dt.datetime(2026, 5, 9, 22, 23, tzinfo=UTC)  # 10 May 2026 06:23 MYT
    assert serum.source_updated_at == dt.datetime(2026, 5, 12, 10, 40, tzinfo=UTC)  # latest updateTime


def test_first_status_column_is_the_platform_status(account):
    """The second item's manual status says delivered; the platform's says shipped — the platform wins."""
    orders, _ = parse(account, load_payload(FIXTURE))
    serum = orders["300123456789012"]
    assert [ln.item_status for ln in serum.lines] == ["shipped", "shipped"]
    assert serum.status == "shipped"


def test_statuses(account):
    orders, _ = parse(account, load_payload(FIXTURE))
    assert orders["300123456789020"].status == "cancelled"
    cancelled = orders["300123456789020"].lines[0]
    assert (cancelled.item_status, cancelled.unit_price, cancelled.gross_amount, cancelled.shipping) == (
        "cancelled", Decimal("25.00"), Decimal(0), Decimal(0))
    assert orders["300123456789030"].status == "unshipped"  # "Ready To Ship"


@pytest.mark.parametrize(("states", "expected"), [
    (["cancelled", "cancelled"], "cancelled"),
    (["unpaid"], "pending"),
    (["delivered", "delivered", "cancelled"], "delivered"),
    (["returned"], "returned"),
    (["delivered", "returned"], "shipped"),
    (["shipped", "open"], "partially_shipped"),
    (["open", "cancelled"], "unshipped"),
])
def test_order_status_from_item_states(states, expected):
    assert order_status(states) == expected


def test_fullwidth_commas_do_not_split_cells(account):
    orders, errors = parse(account, load_payload(FIXTURE))
    balm = orders["300123456789030"]
    assert errors == []
    assert balm.ship_city == "Kuala Lumpur, Wilayah Persekutuan"
    assert (balm.lines[0].channel_sku, balm.lines[0].gross_amount) == ("LIPBALM", Decimal("12.50"))


def test_excel_mangled_order_number_is_an_error(account):
    header, rows = fixture_rows()
    rows[2][header.index("orderNumber")] = "3.00123E+14"
    orders, errors = parse(account, as_csv(header, rows))
    assert [(e.line, e.column, e.value) for e in errors] == [(4, "orderNumber", "3.00123E+14")]
    assert "300123456789020" not in orders


def test_bad_cells_are_located(account):
    header, rows = fixture_rows()
    rows[0][header.index("unitPrice")] = "59,9O"
    rows[1][header.index("createTime")] = "31 Feb 2026 06:23"
    rows[3][header.index("status")] = "teleported"
    _, errors = parse(account, as_csv(header, rows))
    assert [(e.line, e.column) for e in errors] == [(2, "unitPrice"), (3, "createTime"), (5, "status")]


def test_missing_required_column_rejects_the_file(account):
    header, rows = fixture_rows()
    i = header.index("sellerSku")
    with pytest.raises(FileRejected) as info:
        parse(account, as_csv(header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]))
    assert info.value.errors[0].column == "sellerSku"


def test_xlsx_export_with_typed_cells(account, tmp_path):
    from openpyxl import Workbook

    header, rows = fixture_rows()
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    numeric = {"orderNumber", "orderItemId", "unitPrice", "paidPrice", "sellerDiscountTotal", "shippingFee",
               "shippingPhone"}
    for row in rows:
        cells = []
        for name, value in zip(header, row, strict=True):
            if name in numeric and value:
                cells.append(float(value) if "." in value or "E" in value else int(value))
            elif name == "createTime":
                cells.append(dt.datetime.strptime(value, "%d %b %Y %H:%M"))
            else:
                cells.append(value)
        ws.append(cells)
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    orders, errors = parse(account, load_payload(path))
    assert errors == []
    serum = orders["300123456789012"]
    assert serum.lines[0].external_line_id == "300123456789013"
    assert sum(ln.gross_amount - ln.discount for ln in serum.lines) == Decimal("109.80")
    assert serum.purchased_at == dt.datetime(2026, 5, 9, 22, 23, tzinfo=UTC)
    assert serum.status == "shipped"


@pytest.mark.django_db
def test_import_through_the_runner_then_reimport(account):
    load_ecb_rates(since=dt.date(2026, 5, 1), until=dt.date(2026, 5, 31))
    result = import_file("lazada-orders", FIXTURE, account)
    assert result.status == "succeeded", result.errors
    assert (result.created, result.lines_created) == (3, 4)
    serum = Order.objects.get(account=account, external_id="300123456789012")
    assert (serum.items_total, serum.discount_total, serum.shipping_total, serum.order_total) == (
        Decimal("119.80"), Decimal("10.00"), Decimal("4.90"), Decimal("114.70"))
    again = import_file("lazada-orders", FIXTURE, account)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.django_db
def test_a_status_change_updates_the_order(account, tmp_path):
    load_ecb_rates(since=dt.date(2026, 5, 1), until=dt.date(2026, 5, 31))
    import_file("lazada-orders", FIXTURE, account)
    header, rows = fixture_rows()
    rows[1][header.index("status")] = "delivered"
    rows[1][header.index("updateTime")] = "14 May 2026 09:00"
    path = tmp_path / "later.csv"
    path.write_bytes(as_csv(header, rows).data)
    result = import_file("lazada-orders", path, account)
    assert (result.updated, result.unchanged) == (1, 2)
    assert Order.objects.get(account=account, external_id="300123456789012").status == "delivered"
