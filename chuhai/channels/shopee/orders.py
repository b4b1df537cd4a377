"""Shopee's order export (Seller Centre → My Orders → Export), formats.md §4.1.

- XLSX (a CSV saved from it is accepted too), one row per order item, ``Order ID`` repeated on each item's row;
  order-level cells (status, dates, vouchers, shipping, buyer, address) are read from the order's first row.
- Headers are localised per market (English, Indonesian, Thai, Vietnamese synonyms below) and money headers carry
  the currency: ``Total Discount(PHP)``, ``Products' Price Paid by Buyer (PHP)``. Money columns are matched with
  that suffix optional, and every currency named in the header must be the account's — a PHP file imported into
  a MYR store is rejected rather than booked in the wrong currency.
- IDs carry a trailing tab to stop Excel turning them into numbers; one that Excel did mangle is an error.
- ``Order Creation Date`` is local time of the marketplace.

Money: ``Deal Price × Quantity`` → ``gross_amount`` (the deal price already nets the seller's own price
discount, so that is not subtracted again). Seller-funded order discounts — ``Seller Voucher`` and the coin
cashback the seller sponsors — → ``extra_discount``. Shopee-funded ones (Shopee Voucher, Shopee Rebate, coins,
card promotions) are not the seller's cost and stay out. ``Buyer Paid Shipping Fee`` → ``extra_shipping``.
The order total is left to be computed from those (the export's Grand Total is what the buyer paid after
Shopee's own vouchers, not what the seller sold for).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext_lazy

from chuhai.channels.ingest import values
from chuhai.channels.ingest.errors import CellError, ErrorCollector, FileRejected, RowError
from chuhai.channels.ingest.reading import (
    ColumnSpec,
    Payload,
    Row,
    Table,
    cell,
    normalize_header,
    read_table,
    rows_by_order,
)
from chuhai.channels.ingest.records import ZERO, LineRecord, OrderRecord
from chuhai.channels.ingest.sources import ParseContext, Source

# English (PH/SG/MY) · Indonesian · Thai · Vietnamese. Names not seen in formats.md's sources are marked †.
REQUIRED = {
    "order_id": ("Order ID", "No. Pesanan", "หมายเลขคำสั่งซื้อ", "Mã đơn hàng"),
    "status": ("Order Status", "Status Pesanan", "สถานะคำสั่งซื้อ", "Trạng Thái Đơn Hàng"),
    "created": ("Order Creation Date", "Waktu Pesanan Dibuat", "วันที่ทำการสั่งซื้อ", "Ngày đặt hàng"),  # TH, VN †
    "quantity": ("Quantity", "Jumlah", "จำนวน", "Số lượng"),  # VN †
}
OPTIONAL = {
    "sku": ("SKU Reference No.", "Nomor Referensi SKU", "เลขอ้างอิง SKU (SKU Reference No.)",  # TH †
            "SKU phân loại hàng"),  # VN †
    "parent_sku": ("Parent SKU Reference No.", "SKU Induk", "เลขอ้างอิง Parent SKU", "Mã SKU cha"),  # TH †
    "product_name": ("Product Name", "Nama Produk", "ชื่อสินค้า", "Tên sản phẩm"),  # VN †
    "variation": ("Variation Name", "Nama Variasi", "ชื่อตัวเลือก", "Tên phân loại hàng"),  # ID, TH, VN †
    "username": ("Username (Buyer)", "Username (Pembeli)", "ชื่อผู้ใช้ (ผู้ซื้อ)", "Người Mua"),  # ID, TH, VN †
    "country": ("Country", "Negara", "ประเทศ", "Quốc gia"),  # ID, TH, VN †
    "province": ("Province", "Provinsi", "จังหวัด", "Tỉnh/Thành phố"),  # ID, TH, VN †
    "city": ("City", "Town", "Kota/Kabupaten", "เขต/อำเภอ", "Quận/Huyện"),  # ID, TH, VN †
    "zip": ("Zip Code", "Kode Pos", "รหัสไปรษณีย์", "Mã bưu điện"),  # ID, TH, VN †
}
#: Money columns, matched with an optional ``(PHP)``-style currency suffix.
REQUIRED_MONEY = {
    "deal_price": ("Deal Price", "Harga Setelah Diskon", "ราคาขาย", "Giá ưu đãi"),  # VN †
}
OPTIONAL_MONEY = {
    "original_price": ("Original Price", "Harga Awal", "ราคาตั้งต้น", "Giá gốc"),  # TH, VN †
    "seller_voucher": ("Seller Voucher", "Voucher Ditanggung Penjual", "โค้ดส่วนลดชำระโดยผู้ขาย",  # ID, TH †
                       "Mã giảm giá của Shop"),  # VN †
    "seller_coin_cashback": ("Coin Cashback Voucher Amount Sponsored by Seller",
                             "Seller Absorbed Coin Cashback"),
    "buyer_shipping": ("Buyer Paid Shipping Fee", "Ongkos Kirim Dibayar oleh Pembeli",  # ID †
                       "ค่าจัดส่งที่ชำระโดยผู้ซื้อ"),  # TH †
}

#: Order Status values (casefolded) → ours. An unknown value is a located error, not a guess.
STATUSES = {
    # English
    "unpaid": "pending", "to pay": "pending",
    "to ship": "unshipped", "ready to ship": "unshipped", "processed": "unshipped",
    "shipping": "shipped", "shipped": "shipped", "to receive": "shipped",
    "delivered": "delivered", "completed": "delivered", "order received": "delivered",
    "cancelled": "cancelled", "canceled": "cancelled", "in cancel": "cancelled", "cancellation": "cancelled",
    "return/refund": "refunded", "refunded": "refunded",
    # Indonesian
    "belum bayar": "pending", "perlu dikirim": "unshipped", "dikirim": "shipped", "sedang dikirim": "shipped",
    "selesai": "delivered", "batal": "cancelled", "dibatalkan": "cancelled", "pengembalian": "refunded",
    # Thai
    "ที่ต้องชำระ": "pending", "ที่ต้องจัดส่ง": "unshipped", "การจัดส่ง": "shipped", "กำลังจัดส่ง": "shipped",
    "สำเร็จแล้ว": "delivered", "ยกเลิกแล้ว": "cancelled", "คืนเงิน/คืนสินค้า": "refunded",
    # Vietnamese
    "chờ xác nhận": "pending", "chờ thanh toán": "pending", "chờ lấy hàng": "unshipped",
    "đang giao": "shipped", "đã giao": "delivered", "hoàn thành": "delivered", "đã hủy": "cancelled",
    "trả hàng/hoàn tiền": "refunded",
}

#: Besides ISO ``2024-05-01 14:23``, day-first forms some markets use.
DATE_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S")
MAX_SKU = 100

_CURRENCY_IN_HEADER = re.compile(r"\(\s*([a-z]{3})\s*\)")


def shopee_status(value) -> str:
    raw = values.text(value)
    try:
        return STATUSES[re.sub(r"\s+", " ", raw).casefold()]
    except KeyError:
        raise CellError("unknown Shopee order status (known: " + ", ".join(sorted({
            k for k in STATUSES if k.isascii()})) + ")", raw) from None


def header_currencies(table: Table) -> dict[str, str]:
    """Header name → the ISO currency it names (``Total Discount(PHP)`` → PHP); other brackets are ignored."""
    from chuhai.core.money import known_currencies

    found = {}
    for name in table.columns.names:
        for code in _CURRENCY_IN_HEADER.findall(name.casefold()):
            if code.upper() in known_currencies():
                found[name] = code.upper()
    return found


def _money_pattern(name: str) -> str:
    return re.escape(normalize_header(name)) + r"\s*(?:\(\s*[a-z]{3}\s*\))?"


def resolve_columns(table: Table) -> ColumnSpec:
    """Plain columns by name, money columns by name with an optional currency suffix; one error lists every
    missing required column."""
    money = {}
    missing = []
    for key, names in {**REQUIRED_MONEY, **OPTIONAL_MONEY}.items():
        money[key] = next((i for i in (table.columns.find_matching(_money_pattern(n)) for n in names)
                           if i is not None), None)
        if money[key] is None and key in REQUIRED_MONEY:
            missing.append(names[0])
    try:
        spec = ColumnSpec(table, REQUIRED, OPTIONAL)
    except FileRejected as exc:
        if missing:
            first = exc.errors[0]
            raise FileRejected(table.file_name, [RowError(first.line, f"{first.column}, {', '.join(missing)}",
                                                          None, first.message)]) from None
        raise
    if missing:
        raise FileRejected(table.file_name, [RowError(table.header_line, ", ".join(missing), None,
                                                      "required column missing")])
    for key, index in money.items():
        spec.positions[key] = index
        spec.names[key] = table.columns.names[index] if index is not None else key
    return spec


class ShopeeOrdersExport(Source):
    name = "shopee-orders"
    kind = "orders"
    platforms = ("shopee",)
    label = gettext_lazy("Shopee order export (XLSX)")

    def parse(self, payload: Payload, ctx: ParseContext, errors: ErrorCollector) -> Iterator[OrderRecord]:
        order_id_names = {normalize_header(n) for n in REQUIRED["order_id"]}
        table = read_table(payload, legacy=ctx.legacy_encoding,
                           is_header=lambda cells: any(c in order_id_names for c in cells))
        wrong = {name: code for name, code in header_currencies(table).items() if code != ctx.currency}
        if wrong:
            raise FileRejected(table.file_name, [RowError(
                table.header_line, ", ".join(wrong), ", ".join(sorted(set(wrong.values()))),
                f"the file's amounts are not in this account's currency {ctx.currency}; "
                "choose the account of that Shopee market")])
        spec = resolve_columns(table)
        zone, amount = ctx.zone, values.amount_parser(ctx.marketplace)

        def created(value):
            return values.timestamp(value, formats=DATE_FORMATS, tz=zone, dayfirst=True)

        for order_id, rows in rows_by_order(table.rows, spec, "order_id", errors).items():
            record = _order(order_id, rows, spec, ctx, created, amount, errors)
            if record is not None:
                yield record


def _order(order_id: str, rows: list[Row], spec: ColumnSpec, ctx: ParseContext, created, amount,
           errors: ErrorCollector) -> OrderRecord | None:
    first = rows[0]
    before = len(errors.errors)
    status = cell(first, spec, "status", shopee_status, errors, required=True)
    purchased_at = cell(first, spec, "created", created, errors, required=True)

    def money(key: str):
        return cell(first, spec, key, amount, errors, default=ZERO)

    # A discount is a positive amount for us, whichever sign the market's export prints it with.
    seller_discount = abs(money("seller_voucher")) + abs(money("seller_coin_cashback"))
    shipping = money("buyer_shipping")
    lines = [line for line in (_line(row, spec, status, amount, errors) for row in rows) if line is not None]
    username = values.text(first.get(spec["username"]))
    if shipping < 0:
        errors.add(first.line, spec.names["buyer_shipping"], shipping, "shipping paid by the buyer cannot be negative")
    if len(errors.errors) > before or status is None or purchased_at is None:
        return None
    return OrderRecord(
        line=first.line,
        external_id=order_id,
        purchased_at=purchased_at,
        status=status,
        currency=ctx.currency,
        lines=lines,
        fulfilment_channel="merchant",
        # Shopee ships within its market: without a readable country the buyer is in the marketplace's.
        ship_country=values.country_or_blank(first.get(spec["country"])) or ctx.marketplace,
        ship_region=values.text(first.get(spec["province"]))[:100],
        ship_city=values.text(first.get(spec["city"]))[:100],
        ship_postal=values.text(first.get(spec["zip"]))[:20],
        customer_ref=values.buyer_ref(username, "shopee") if username else "",
        prices_include_tax=ctx.prices_include_tax,
        extra_shipping=shipping,
        extra_discount=seller_discount,
    )


def _line(row: Row, spec: ColumnSpec, status: str | None, amount, errors: ErrorCollector) -> LineRecord | None:
    quantity = cell(row, spec, "quantity", values.integer, errors, required=True)
    price = cell(row, spec, "deal_price", amount, errors, required=True)
    sku = cell(row, spec, "sku", values.identifier, errors, default="")
    parent = cell(row, spec, "parent_sku", values.identifier, errors, default="")
    if quantity is None or price is None:
        return None
    if quantity <= 0:
        errors.add(row.line, spec.names["quantity"], quantity, "quantity must be at least 1")
        return None
    name = values.text(row.get(spec["product_name"]))
    variation = values.text(row.get(spec["variation"]))
    label = f"{name} [{variation}]" if variation else name
    channel_sku = sku or parent or values.sku_from_label(label, MAX_SKU)
    if not channel_sku:
        errors.add(row.line, spec.names["product_name"], None, "the item has no SKU reference and no name")
        return None
    if status == "cancelled":
        item_status = "cancelled"
    elif status in ("shipped", "delivered", "refunded"):
        item_status = "shipped"
    else:
        item_status = "open"
    return LineRecord(
        channel_sku=channel_sku,
        quantity=quantity,
        gross_amount=price * quantity,
        unit_price=price,
        product_name=label[:500],
        item_status=item_status,
    )
