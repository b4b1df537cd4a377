"""Shopify Orders CSV: the two real Chilean (CLP) rows from formats.md §2.1, plus a multi-item/status fixture
built on the classic header."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from chuhai.channels.ingest.errors import ErrorCollector, FileRejected
from chuhai.channels.ingest.reading import Payload, load_payload
from chuhai.channels.ingest.sources import ParseContext
from chuhai.channels.services import create_account
from chuhai.channels.shopify.orders import ShopifyOrdersCsv

FIXTURES = Path(__file__).parent / "fixtures"
REAL = FIXTURES / "orders_clp_real.csv"
STATUSES = FIXTURES / "orders_multi_item_statuses.csv"


def parse(account, source):
    payload = load_payload(source) if isinstance(source, Path) else Payload("orders.csv", source)
    errors = ErrorCollector(payload.name)
    records = list(ShopifyOrdersCsv().parse(payload, ParseContext(account=account, file_name=payload.name), errors))
    return records, errors.errors


def computed_total(rec):
    """What the order adds up to from the record's parts (tax added only when prices exclude it)."""
    items = sum(ln.gross_amount - ln.discount for ln in rec.lines)
    tax = Decimal(0) if rec.prices_include_tax else rec.extra_tax
    return items - rec.extra_discount + rec.extra_shipping + tax


@pytest.fixture
def cl_store(db):
    return create_account("SHOP-CL", "shopify", "CL", currency="CLP")


@pytest.fixture
def us_store(db):
    return create_account("SHOP-US", "shopify", "US")


def test_real_clp_rows(cl_store):
    records, errors = parse(cl_store, REAL)
    assert errors == []
    by_id = {r.external_id: r for r in records}
    assert list(by_id) == ["1044", "1045"]
    o = by_id["1044"]
    assert o.line == 2 and by_id["1045"].line == 6  # the multi-line Notes of 1044 span lines 2-5
    assert o.purchased_at == dt.datetime(2025, 10, 2, 20, 9, 33, tzinfo=dt.UTC)
    assert (o.status, o.currency, o.fulfilment_channel) == ("shipped", "CLP", "merchant")
    [line] = o.lines
    assert (line.quantity, line.unit_price, line.gross_amount, line.discount) == (2, 84028, 168056, 0)
    assert line.item_status == "shipped"
    assert line.product_name.startswith("Pantalla LED Publicitaria 60x90 cm")
    # No SKU in the export: the title stands in, shortened to fit a channel SKU and kept unique by a digest.
    assert len(line.channel_sku) == 100 and line.channel_sku.startswith("Pantalla LED")
    assert (o.extra_discount, o.extra_shipping, o.extra_tax, o.order_total) == (5000, 1, 30981, 194038)
    assert o.promotion_ids == "KLIN5000"
    # A CLP store in a VAT market that prices net of tax: Subtotal + Shipping + Taxes = Total.
    assert o.prices_include_tax is False
    assert computed_total(o) == o.order_total
    assert (o.ship_country, o.ship_region, o.ship_city, o.ship_postal) == ("CL", "Coquimbo", "Illapel", "1930000")
    assert o.customer_ref == hashlib.sha256(b"buyer1@example.com").hexdigest()
    assert "@" not in o.customer_ref

    p = by_id["1045"]
    assert [(ln.channel_sku, ln.quantity, ln.gross_amount) for ln in p.lines] == [("MK-1002", 1, 117647)]
    assert (p.extra_discount, p.extra_shipping, p.extra_tax, p.order_total) == (0, 1, 22353, 140001)
    assert computed_total(p) == p.order_total
    assert (p.ship_city, p.ship_postal, p.ship_region) == ("Viña del Mar", "", "Valparaíso")


def test_multi_item_orders_and_statuses(us_store):
    records, errors = parse(us_store, STATUSES)
    assert errors == []
    by_id = {r.external_id: r for r in records}
    assert {k: r.status for k, r in by_id.items()} == {
        "#1001": "shipped", "#1002": "pending", "#1003": "refunded", "#1004": "cancelled",
        "#1005": "partially_shipped", "#1006": "unshipped",
    }
    o = by_id["#1001"]
    assert [(ln.channel_sku, ln.quantity, ln.gross_amount, ln.discount) for ln in o.lines] == [
        ("MUG-01", 2, Decimal("40.00"), Decimal("5.00")), ("TEE-M", 1, Decimal("15.00"), Decimal("0.00"))]
    # Discount Amount 10.00 = 5.00 on the mug line + 5.00 from the order-level code.
    assert o.extra_discount == Decimal("5.00")
    assert (o.extra_shipping, o.extra_tax, o.order_total) == (Decimal("5.00"), Decimal("3.60"), Decimal("53.60"))
    assert computed_total(o) == o.order_total
    assert o.ship_postal == "02134"  # the leading zero survives the protective apostrophe
    assert o.customer_ref == hashlib.sha256(b"jane.doe@example.com").hexdigest()  # case and spaces normalised
    assert [ln.item_status for ln in by_id["#1005"].lines] == ["shipped", "open"]
    assert [ln.item_status for ln in by_id["#1004"].lines] == ["cancelled"]
    assert by_id["#1006"].lines[0].channel_sku == "Gift card"
    assert by_id["#1002"].purchased_at.utcoffset() == dt.timedelta(hours=-4)


HEADER = ("Name,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Amount,"
          "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Cancelled at\n")


def test_tax_inclusive_store_is_recognised_from_its_totals(db):
    jp = create_account("SHOP-JP", "shopify", "JP")
    data = HEADER + ("#2001,,paid,fulfilled,JPY,3300,500,300,3800,0,2024-05-01 10:00:00 +0900,1,Tea,3300,TEA-1,\n"
                     "#2002,,paid,fulfilled,JPY,3000,500,300,3800,0,2024-05-01 11:00:00 +0900,1,Tea,3000,TEA-1,\n")
    records, errors = parse(jp, data.encode())
    assert errors == []
    inclusive, exclusive = records
    assert (inclusive.prices_include_tax, exclusive.prices_include_tax) == (True, False)
    assert computed_total(inclusive) == inclusive.order_total == 3800
    assert computed_total(exclusive) == exclusive.order_total == 3800


def test_missing_required_column_rejects_the_file_naming_it(us_store):
    data = HEADER.replace("Lineitem quantity,", "") + "#1,,paid,,USD,1,0,0,1,0,2024-05-01 10:00:00 -0400,x,1,S,\n"
    with pytest.raises(FileRejected) as exc:
        parse(us_store, data.encode())
    assert exc.value.errors[0].column == "Lineitem quantity"


def test_bad_cells_are_located_and_nothing_half_parsed(us_store):
    data = HEADER + (
        "1.00001E+11,,paid,,USD,1,0,0,1,0,2024-05-01 10:00:00 -0400,1,Mug,1,M,\n"
        "#3,,settled,,USD,1,0,0,1,0,2024-05-01 10:00:00 -0400,1,Mug,1,M,\n"
        "#4,,paid,,USD,1,0,0,1,0,yesterday,1,Mug,abc,M,\n"
        "#5,,paid,,USD,1,0,0,1,0,2024-05-01 10:00:00 -0400,1,Mug,1,M,\n"
    )
    records, errors = parse(us_store, data.encode())
    assert [r.external_id for r in records] == ["#5"]
    located = {(e.line, e.column) for e in errors}
    assert located == {(2, "Name"), (3, "Financial Status"), (4, "Created at"), (4, "Lineitem price")}
    assert next(e for e in errors if e.line == 2).value == "1.00001E+11"


def test_split_order_rows_are_an_error(us_store):
    row = "{},,paid,,USD,1,0,0,1,0,2024-05-01 10:00:00 -0400,1,Mug,1,M,\n"
    data = HEADER + row.format("#7") + row.format("#8") + row.format("#7")
    _records, errors = parse(us_store, data.encode())
    assert [(e.line, e.column) for e in errors] == [(4, "Name")]


def test_legacy_encoding_of_the_marketplace(us_store):
    data = HEADER + "#9,,paid,,USD,4.5,0,0,4.5,0,2024-05-01 10:00:00 -0400,1,Café crème,4.5,CAFE,\n"
    records, errors = parse(us_store, data.encode("cp1252"))
    assert errors == [] and records[0].lines[0].product_name == "Café crème"
