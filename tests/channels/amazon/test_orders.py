"""Amazon All Orders report: the real scrubbed row from formats.md §1.1, both column sets, a "by last update" file
whose order rows are apart, cp932, gzip, mangled ids, a missing column, and the import end to end."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.amazon.orders import AllOrdersReport, order_status
from chuhai.channels.ingest.errors import CellError, ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import load_payload
from chuhai.channels.ingest.runner import import_file
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.finance.fx import load_ecb_rates
from chuhai.orders.models import Order

FIXTURES = Path(__file__).parent / "fixtures"
UTC = dt.UTC


@pytest.fixture
def us(db):
    return create_account("AMZ-US", "amazon", "US")


def parse(path, account):
    path = Path(path)
    errors = ErrorCollector(path.name)
    records = list(AllOrdersReport().parse(load_payload(path), ParseContext(account, path.name), errors))
    return records, errors.errors


def by_id(records):
    return {r.external_id: r for r in records}


def test_real_sample_row_cross_border_cancelled_item_in_shipped_order(us):
    records, errors = parse(FIXTURES / "orders_sample_it_to_us.txt", us)
    assert errors == []
    [order] = records
    assert order.external_id == "171-5094825-0392358"
    assert order.purchased_at == dt.datetime(2017, 6, 17, 8, 4, 21, tzinfo=UTC)
    assert order.source_updated_at == dt.datetime(2017, 6, 18, 22, 7, 59, tzinfo=UTC)
    assert (order.status, order.fulfilment_channel) == ("shipped", "fba")
    # an Amazon.it order, in EUR, shipped to the US — the marketplace comes from sales-channel, not the account
    assert (order.marketplace, order.currency, order.ship_country) == ("IT", "EUR", "US")
    assert (order.ship_city, order.ship_region, order.ship_postal) == ("TOWNNAME", "GA", "30041-8435")
    assert order.prices_include_tax is True
    [line] = order.lines
    assert (line.channel_sku, line.quantity, line.gross_amount) == ("EDF-P270-GOLD", 1, Decimal("89.95"))
    assert line.item_status == "cancelled"
    assert line.item_tax == line.shipping == line.discount == 0  # empty money cells are 0, not errors
    assert order.is_business is False


def test_rows_of_one_order_apart_are_grouped_and_amounts_mapped(us):
    records, errors = parse(FIXTURES / "orders_multi_item.txt", us)
    assert errors == []
    orders = by_id(records)
    assert len(records) == 4 == len(orders)  # every order exactly once

    a = orders["113-0000001-0000001"]
    assert [ln.channel_sku for ln in a.lines] == ["CBL-1", "HUB-7"]
    cable, hub = a.lines
    assert (cable.gross_amount, cable.quantity) == (Decimal("19.98"), 2)
    assert (cable.item_tax, cable.shipping, cable.shipping_tax) == (Decimal("1.60"), Decimal("4.99"), Decimal("0.40"))
    assert cable.discount == Decimal("6.99")  # -2.00 item + -4.99 ship promotion, stored positive
    assert hub.discount == Decimal("1.50")  # printed positive in this row
    assert hub.item_status == "cancelled" and cable.item_status == "shipped" and a.status == "shipped"
    assert (hub.shipping, hub.shipping_tax) == (Decimal("3.99"), Decimal("0.32"))  # gift wrap
    assert a.source_updated_at == dt.datetime(2024, 3, 17, 9, 30, tzinfo=UTC)  # the latest of its rows
    assert a.tax_model == "marketplace" and a.prices_include_tax is False
    assert a.promotion_ids == "Free Shipping Promo"

    pending = orders["113-0000002-0000002"]
    assert pending.status == "pending" and pending.is_business is True
    assert pending.lines[0].gross_amount == 0 and pending.lines[0].item_status == "open"
    assert pending.tax_model == ""  # no tax collected (yet)

    shipping = orders["113-0000003-0000003"]
    assert shipping.fulfilment_channel == "fba"
    assert shipping.status == "partially_shipped"  # "Shipping" with one item still unshipped

    mcf = orders["S01-1234567-7654321"]
    assert mcf.status == "delivered" and mcf.fulfilment_channel == "fba" and mcf.marketplace == ""
    assert mcf.lines[0].quantity == 3


def test_japanese_file_in_cp932(db):
    jp = create_account("AMZ-JP", "amazon", "JP")
    records, errors = parse(FIXTURES / "orders_jp_cp932.txt", jp)
    assert errors == []
    [order] = records
    assert order.lines[0].product_name == "USB-Cケーブル 1m 急速充電"
    assert (order.ship_region, order.ship_city) == ("東京都", "渋谷区")
    assert (order.currency, order.marketplace, order.prices_include_tax) == ("JPY", "JP", True)
    assert order.lines[0].gross_amount == 1980 and order.lines[0].quantity == 2
    assert order.purchased_at == dt.datetime(2024, 3, 15, 1, 0, tzinfo=UTC)


def test_gzip_file_reads_like_the_plain_one(us, tmp_path):
    path = tmp_path / "orders.txt.gz"
    path.write_bytes(gzip.compress((FIXTURES / "orders_multi_item.txt").read_bytes()))
    zipped, errors = parse(path, us)
    plain, _ = parse(FIXTURES / "orders_multi_item.txt", us)
    assert errors == [] and zipped == plain


def test_newer_column_set_without_ship_address(us):
    records, errors = parse(FIXTURES / "orders_new_columns.txt", us)
    assert errors == []
    [order] = records
    assert order.is_replacement is True
    assert (order.marketplace, order.currency, order.ship_country, order.ship_city) == ("DE", "EUR", "DE", "")
    assert order.prices_include_tax is True and order.tax_model == ""
    assert order.lines[0].item_tax == Decimal("1.91")


def test_mangled_order_ids_are_located_errors(us):
    records, errors = parse(FIXTURES / "orders_mangled_id.txt", us)
    assert [(e.line, e.column, e.value) for e in errors] == [
        (2, "amazon-order-id", "1211397397571528200"), (4, "amazon-order-id", "1.12E+18")]
    assert [r.external_id for r in records] == ["113-0000009-0000009"]


def test_missing_sku_column_rejects_the_file_naming_it(us):
    with pytest.raises(FileRejected) as exc:
        parse(FIXTURES / "orders_missing_sku.txt", us)
    assert exc.value.errors[0].column == "sku" and exc.value.errors[0].line == 1


def test_us_tax_before_facilitator_laws_everywhere_stays_unknown(us, tmp_path):
    header = (FIXTURES / "orders_multi_item.txt").read_text().splitlines()[0]
    cells = dict.fromkeys(header.split("\t"), "")
    cells.update({"amazon-order-id": "112-0000001-0000001", "purchase-date": "2019-03-15T10:00:00+00:00",
                  "order-status": "Shipped", "fulfillment-channel": "Amazon", "sales-channel": "Amazon.com",
                  "sku": "CBL-1", "quantity": "1", "currency": "USD", "item-price": "9.99", "item-tax": "0.80",
                  "ship-country": "US"})
    path = tmp_path / "old.txt"
    path.write_text(header + "\n" + "\t".join(cells.values()) + "\n")
    [order], errors = parse(path, us)
    assert errors == [] and order.tax_model == ""


@pytest.mark.parametrize(("raw", "status"), [
    ("Pending", "pending"), ("Unshipped", "unshipped"), ("PartiallyShipped", "partially_shipped"),
    ("Shipped", "shipped"), ("Canceled", "cancelled"), ("Cancelled", "cancelled"),
    ("Shipped - Delivered to Buyer", "delivered"), ("Shipped - Returned to Seller", "returned"),
    ("Shipped - Out for Delivery", "shipped"), ("Pending - Waiting for Pick Up", "pending"),
])
def test_order_status_vocabulary(raw, status):
    assert order_status(raw) == status


def test_unknown_order_status_is_an_error():
    with pytest.raises(CellError):
        order_status("Teleported")


def test_import_end_to_end_and_reimport_is_a_no_op(us):
    load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31))
    path = FIXTURES / "orders_multi_item.txt"
    first = import_file("amazon-orders", path, us)
    assert first.status == "succeeded", first.errors
    assert (first.created, first.lines_created) == (4, 6)
    order = Order.objects.get(account=us, external_id="113-0000001-0000001")
    assert order.lines.count() == 2 and order.tax_model == "marketplace"
    assert list(order.lines.values_list("item_status", flat=True)) == ["shipped", "cancelled"]
    again = import_file("amazon-orders", path, us)
    assert (again.status, again.created, again.updated, again.unchanged) == ("succeeded", 0, 0, 4)
    assert Order.objects.filter(account=us).count() == 4


def test_import_rejects_the_whole_file_on_a_mangled_id(us):
    load_ecb_rates(since=dt.date(2025, 6, 1), until=dt.date(2025, 6, 30))
    result = import_file("amazon-orders", FIXTURES / "orders_mangled_id.txt", us)
    assert result.status == "rejected"
    assert {e.line for e in result.errors} == {2, 4}
    assert not Order.objects.filter(account=us).exists()


# -- malformed files: rejected whole or imported whole, never a traceback -------------------------------------------
def mutations(original: bytes):
    """Damaged versions of a real file: cut short, bytes dropped, junk (tabs, quotes, newlines, bad UTF-8) inserted."""
    from hypothesis import strategies as st

    junk = st.binary(min_size=1, max_size=12) | st.sampled_from(
        [b"\t", b"\n", b'"', b"\r\n", b"\xff\xfe", b"\x81", b"1.12E+18", b"\t\t\t", b"-", b","])

    @st.composite
    def damaged(draw):
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(data)))
            kind = draw(st.sampled_from(["cut", "drop", "insert"]))
            if kind == "cut":
                del data[at:]
            elif kind == "drop":
                del data[at:at + draw(st.integers(1, 40))]
            else:
                data[at:at] = draw(junk)
        return bytes(data)

    return damaged()


@pytest.fixture
def rates(db):
    load_ecb_rates(since=dt.date(2024, 3, 1), until=dt.date(2024, 3, 31))


def test_damaged_orders_files_never_half_import(us, rates, tmp_path):
    from hypothesis import HealthCheck, given, settings

    from chuhai.orders.models import OrderLine

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=mutations((FIXTURES / "orders_multi_item.txt").read_bytes()))
    def check(data):
        path = tmp_path / "damaged.txt"
        path.write_bytes(data)
        before = (Order.objects.count(), OrderLine.objects.count())
        result = import_file("amazon-orders", path, us)
        assert result.status in ("succeeded", "rejected"), result.errors  # "failed" = an internal error
        if result.status == "rejected":
            assert result.errors and (Order.objects.count(), OrderLine.objects.count()) == before

    check()
