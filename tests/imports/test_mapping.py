"""Unmapped channel SKUs: imports keep their lines and create a task; the list sums their sales; mapping re-links
the past lines in one go and later imports link directly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuhai.catalog.mapping import map_channel_sku, unmapped_skus_with_sales
from chuhai.catalog.models import Listing, UnmappedSku
from chuhai.catalog.services import create_product
from chuhai.channels.ingest.runner import import_file
from chuhai.orders.models import SALE_STATUSES, OrderLine

from .support import GOOD, orders_csv


def _expected(account, channel_sku):
    """Independent computation in Python from the stored rows: (lines, units, sales in base currency)."""
    lines = list(OrderLine.objects.filter(order__account=account, channel_sku=channel_sku, product__isnull=True)
                 .select_related("order"))
    sold = [ln for ln in lines if ln.order.status in SALE_STATUSES and ln.item_status != "cancelled"]
    return len(lines), sum(ln.quantity for ln in sold), sum(((ln.gross_amount - ln.discount) * ln.order.fx_rate
                                                             for ln in sold), Decimal(0))


def test_unknown_sku_keeps_its_lines_and_becomes_a_task_with_its_sales(account, cable, write):
    result = import_file("test-orders", write("march.csv", GOOD), account)
    assert result.status == "succeeded"

    task = UnmappedSku.objects.get()
    assert (task.account, task.channel_sku, task.product_name, task.resolved_at) == (
        account, "MYSTERY-9", "Mystery gadget", None)
    assert OrderLine.objects.filter(channel_sku="MYSTERY-9", product__isnull=True).count() == 2
    assert OrderLine.objects.get(channel_sku="CBL-1").product == cable  # the listed SKU linked directly

    row = unmapped_skus_with_sales().get()
    lines, units, sales = _expected(account, "MYSTERY-9")
    assert (row.line_count, row.units) == (lines, units) == (2, 3)  # the cancelled order's unit is not sold
    assert row.sales == pytest.approx(sales, abs=Decimal("1e-6"))
    assert sales > 45  # 45.00 USD in CNY at the stored rate, nothing from the cancelled order
    assert row.base_currency == "CNY"


def test_list_is_by_sales_and_filters_by_account(account, write):
    from chuhai.channels.services import create_account

    other = create_account("AMZ-CA", "amazon", "CA")
    import_file("test-orders", write("us.csv", orders_csv(
        "111-0000001-0000001,2024-03-15T10:00:00+00:00,SMALL,,1,5.00,shipped",
        "111-0000002-0000002,2024-03-15T10:00:00+00:00,BIG,,1,500.00,shipped",
    )), account)
    import_file("test-orders", write("ca.csv", orders_csv(
        "702-0000001-0000001,2024-03-15T10:00:00+00:00,BIG,,1,1.00,shipped",
    )), other)

    assert [(u.account.code, u.channel_sku) for u in unmapped_skus_with_sales()] == [
        ("AMZ-US", "BIG"), ("AMZ-US", "SMALL"), ("AMZ-CA", "BIG")]
    assert [u.channel_sku for u in unmapped_skus_with_sales(other)] == ["BIG"]


def test_mapping_relinks_past_lines_and_later_imports_link_directly(account, cable, write, role_users):
    import_file("test-orders", write("march.csv", GOOD), account)
    gadget = create_product("GADGET-9", name_en="Gadget")

    relinked = map_channel_sku(account, "MYSTERY-9", gadget, user=role_users["operations"])

    assert relinked == 2
    assert set(OrderLine.objects.filter(channel_sku="MYSTERY-9").values_list("product__sku", flat=True)) == {
        "GADGET-9"}
    listing = Listing.objects.get(account=account, channel_sku="MYSTERY-9")
    assert (listing.product, listing.marketplace, listing.currency) == (gadget, "US", "USD")
    assert listing.history.get().history_user == role_users["operations"]
    task = UnmappedSku.objects.get()
    assert task.resolved_at is not None and task.product == gadget
    assert not unmapped_skus_with_sales().exists()
    assert map_channel_sku(account, "MYSTERY-9", gadget) == 0  # idempotent

    import_file("test-orders", write("april.csv", orders_csv(
        "111-0000009-0000009,2024-03-20T10:00:00+00:00,MYSTERY-9,Mystery gadget,1,15.00,shipped")), account)
    assert OrderLine.objects.get(order__external_id="111-0000009-0000009").product == gadget
    assert not unmapped_skus_with_sales().exists()


def test_mapping_touches_only_that_accounts_lines(account, cable, write):
    from chuhai.channels.services import create_account

    other = create_account("AMZ-CA", "amazon", "CA")
    import_file("test-orders", write("us.csv", GOOD), account)
    import_file("test-orders", write("ca.csv", orders_csv(
        "702-0000001-0000001,2024-03-15T10:00:00+00:00,MYSTERY-9,,1,1.00,shipped")), other)
    gadget = create_product("GADGET-9", name_en="Gadget")

    assert map_channel_sku(account, "MYSTERY-9", gadget) == 2
    assert OrderLine.objects.get(order__account=other).product is None
    assert [u.account for u in unmapped_skus_with_sales()] == [other]


def test_mapping_refuses_to_move_a_listed_sku_to_another_product(account, cable, write):
    import_file("test-orders", write("march.csv", GOOD), account)
    other = create_product("OTHER", name_en="Other")
    with pytest.raises(ValueError, match="already listed as product CABLE-USB-C"):
        map_channel_sku(account, "CBL-1", other)
    assert Listing.objects.get(account=account, channel_sku="CBL-1").product == cable
