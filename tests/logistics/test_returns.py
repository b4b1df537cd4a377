"""Customer returns: linking to orders, recording, processing once (sellable / unsellable / not restocked, bundles
as components), FBA defaults from Amazon's disposition, the refund link — and the page, API and CLI on top."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from chuhai.inventory.ledger import MovementKind, StockBalance, StockMovement
from chuhai.logistics.models import CustomerReturn
from chuhai.logistics.returns import (
    AlreadyProcessed,
    link_orders,
    process_fba_returns,
    process_return,
    record_return,
    refund_info,
)

RETURNED = timezone.make_aware(dt.datetime(2026, 3, 10, 9, 0))


@pytest.fixture
def returns_shop(db):
    """AMZ-US (with FBA-US as its FBA warehouse) and SHOP-US; SZ-MAIN domestic; MUG-01, LID-01 and the bundle
    GIFT-SET (2 mugs + 1 lid); AMZ-US lists the mug as MUG-AMZ."""
    from chuhai.catalog.models import BundleComponent, Product
    from chuhai.catalog.services import create_listing
    from chuhai.channels.services import create_account
    from chuhai.inventory.channel_rules import AllocationRule
    from chuhai.inventory.models import Warehouse

    amazon = create_account("AMZ-US", "amazon", "US")
    shop = create_account("SHOP-US", "shopify", "US")
    domestic = Warehouse.objects.create(code="SZ-MAIN", type="domestic", country="CN", time_zone="Asia/Shanghai")
    fba = Warehouse.objects.create(code="FBA-US", type="fba", country="US", time_zone="America/Los_Angeles")
    AllocationRule.objects.create(account=amazon, fba_warehouse=fba)
    mug = Product.objects.create(sku="MUG-01", name_en="Mug")
    lid = Product.objects.create(sku="LID-01", name_en="Lid")
    gift = Product.objects.create(sku="GIFT-SET", name_en="Gift set", is_bundle=True)
    BundleComponent.objects.create(bundle=gift, component=mug, quantity=2)
    BundleComponent.objects.create(bundle=gift, component=lid, quantity=1)
    create_listing(amazon, mug, "MUG-AMZ", price=Decimal("12.99"))
    return {"amazon": amazon, "shop": shop, "domestic": domestic, "fba": fba, "mug": mug, "lid": lid,
            "gift": gift}


def make_order(account, external_id, lines, fulfilment="merchant", status="delivered"):
    """``lines``: [(product, channel_sku, qty)]."""
    from chuhai.orders.models import Order, OrderLine

    order = Order.objects.create(
        account=account, external_id=external_id, marketplace="US", purchased_at=RETURNED - dt.timedelta(days=9),
        status=status, fulfilment_channel=fulfilment, ship_country="US", currency="USD", base_currency="USD",
        fx_rate=Decimal(1))
    for no, (product, channel_sku, qty) in enumerate(lines, start=1):
        OrderLine.objects.create(order=order, line_no=no, product=product, channel_sku=channel_sku, quantity=qty,
                                 unit_price=Decimal("10"))
    return order


def fba_return(account, order_ref, sku, disposition, lpn, quantity=1, **extra):
    return CustomerReturn.objects.create(
        account=account, returned_at=RETURNED, order_ref=order_ref, sku=sku, quantity=quantity,
        fulfillment_center="ONT8", disposition=disposition, reason="UNWANTED_ITEM",
        status="Unit returned to inventory", license_plate=lpn, **extra)


def balance(product, warehouse):
    row = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (row.on_hand, row.unsellable) if row else (0, 0)


# -- linking ----------------------------------------------------------------------------------------------------

def test_link_orders_matches_account_and_order_id_only(returns_shop):
    s = returns_shop
    mine = make_order(s["amazon"], "111-0000001", [(s["mug"], "MUG-AMZ", 1)], fulfilment="fba")
    make_order(s["shop"], "111-0000002", [(s["mug"], "MUG-01", 1)])  # same id space, other account
    linked = fba_return(s["amazon"], "111-0000001", "MUG-AMZ", "SELLABLE", "LPN1")
    other_account = fba_return(s["amazon"], "111-0000002", "MUG-AMZ", "SELLABLE", "LPN2")
    not_imported = fba_return(s["amazon"], "111-9999999", "MUG-AMZ", "SELLABLE", "LPN3")

    assert link_orders() == 1
    for r in (linked, other_account, not_imported):
        r.refresh_from_db()
    assert linked.order == mine
    assert other_account.order is None and not_imported.order is None
    assert link_orders() == 0  # idempotent


def test_returns_import_links_returns_to_imported_orders(returns_shop, tmp_path):
    from chuhai.channels.ingest.runner import import_file

    s = returns_shop
    order = make_order(s["amazon"], "113-4820215-2760224", [(s["mug"], "MUG-AMZ", 2)], fulfilment="fba")
    report = tmp_path / "returns.txt"
    report.write_text(
        "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\t"
        "detailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n"
        "2026-03-10T07:03:57+00:00\t113-4820215-2760224\tMUG-AMZ\tB0MUG\tX00MUG\tMug\t1\tONT8\tSELLABLE\t"
        "UNWANTED_ITEM\tUnit returned to inventory\tLPNA1\t\n"
        "2026-03-10T07:03:57+00:00\t114-0000000-0000000\tMUG-AMZ\tB0MUG\tX00MUG\tMug\t1\tONT8\tDEFECTIVE\t"
        "DEFECTIVE\tUnit returned to inventory\tLPNA2\t\n", encoding="utf-8")
    import_file("amazon-returns", report, s["amazon"])
    by_lpn = {r.license_plate: r for r in CustomerReturn.objects.all()}
    assert by_lpn["LPNA1"].order == order
    assert by_lpn["LPNA2"].order is None


# -- recording --------------------------------------------------------------------------------------------------

def test_record_return_checks_the_order(returns_shop):
    s = returns_shop
    order = make_order(s["shop"], "1001", [(s["mug"], "MUG-01", 2)])
    first = record_return(s["shop"], order, "MUG-01", 1, reason="wrong colour", condition="sellable")
    assert (first.order, first.order_ref, first.restock, first.processed_at) == (order, "1001", "", None)

    with pytest.raises(ValueError, match="not on order"):
        record_return(s["shop"], order, "LID-01", 1)
    with pytest.raises(ValueError, match="at most 1 more"):
        record_return(s["shop"], order, "MUG-01", 2)
    with pytest.raises(ValueError, match="belongs to account"):
        record_return(s["amazon"], order, "MUG-01", 1)
    assert CustomerReturn.objects.count() == 1


# -- processing -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("decision", "expected"), [
    ("sellable", (1, 0)), ("unsellable", (0, 1)), ("not_restocked", (0, 0)),
])
def test_process_moves_the_stock_the_decision_says(returns_shop, django_user_model, decision, expected):
    s = returns_shop
    user = django_user_model.objects.create_user("packer")
    order = make_order(s["shop"], "1001", [(s["mug"], "MUG-01", 1)])
    customer_return = record_return(s["shop"], order, "MUG-01", 1, reason="too small")

    done = process_return(customer_return, decision, warehouse=s["domestic"], condition="sellable", user=user)

    assert (done.restock, done.processed_by, done.condition) == (decision, user, "sellable")
    assert done.processed_at is not None
    assert balance(s["mug"], s["domestic"]) == expected
    moves = list(StockMovement.objects.all())
    if decision == "not_restocked":
        assert moves == [] and done.restock_warehouse is None
    else:
        assert len(moves) == 1
        move = moves[0]
        assert (move.kind, move.quantity, move.user, move.reference) == (MovementKind.CUSTOMER_RETURN, 1, user,
                                                                         "1001")
        assert f"#{done.pk}" in move.reason


def test_a_return_is_processed_once(returns_shop):
    s = returns_shop
    order = make_order(s["shop"], "1001", [(s["mug"], "MUG-01", 3)])
    customer_return = record_return(s["shop"], order, "MUG-01", 3)
    stale = CustomerReturn.objects.get(pk=customer_return.pk)
    process_return(customer_return, "sellable", warehouse=s["domestic"])
    with pytest.raises(AlreadyProcessed):
        process_return(stale, "unsellable", warehouse=s["domestic"])
    assert balance(s["mug"], s["domestic"]) == (3, 0)
    assert StockMovement.objects.count() == 1
    assert CustomerReturn.objects.get(pk=customer_return.pk).restock == "sellable"


@pytest.mark.django_db(transaction=True)
def test_concurrent_processing_restocks_once():
    """Eight threads process the same return at once: one wins, the others are refused, one movement."""
    from chuhai.catalog.models import Product
    from chuhai.channels.services import create_account
    from chuhai.inventory.models import Warehouse

    account = create_account("SHOP-US", "shopify", "US")
    warehouse = Warehouse.objects.create(code="SZ-MAIN", type="domestic", country="CN", time_zone="Asia/Shanghai")
    mug = Product.objects.create(sku="MUG-01", name_en="Mug")
    order = make_order(account, "1001", [(mug, "MUG-01", 2)])
    customer_return = record_return(account, order, "MUG-01", 2)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            process_return(CustomerReturn.objects.get(pk=customer_return.pk), "sellable", warehouse=warehouse)
            outcomes.append("ok")
        except AlreadyProcessed:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7
    assert balance(mug, warehouse) == (2, 0)
    assert StockMovement.objects.filter(kind=MovementKind.CUSTOMER_RETURN).count() == 1


def test_a_returned_bundle_restocks_its_components(returns_shop):
    s = returns_shop
    order = make_order(s["shop"], "1002", [(s["gift"], "GIFT-SET", 2)])
    customer_return = record_return(s["shop"], order, "GIFT-SET", 2)
    process_return(customer_return, "unsellable", warehouse=s["domestic"])
    assert balance(s["mug"], s["domestic"]) == (0, 4)
    assert balance(s["lid"], s["domestic"]) == (0, 2)
    assert not StockBalance.objects.filter(product=s["gift"]).exists()


def test_restocking_needs_a_warehouse_and_a_mapped_sku(returns_shop):
    s = returns_shop
    order = make_order(s["shop"], "1003", [(None, "MYSTERY-1", 1), (s["mug"], "MUG-01", 1)])
    unmapped = record_return(s["shop"], order, "MYSTERY-1", 1)
    with pytest.raises(ValueError, match="not mapped"):
        process_return(unmapped, "sellable", warehouse=s["domestic"])
    mug_return = record_return(s["shop"], order, "MUG-01", 1)
    with pytest.raises(ValueError, match="warehouse"):
        process_return(mug_return, "sellable")
    with pytest.raises(ValueError, match="choose what happens"):
        process_return(mug_return, None, warehouse=s["domestic"])
    assert not CustomerReturn.objects.filter(processed_at__isnull=False).exists()
    assert StockMovement.objects.count() == 0
    # Not restocking needs neither a warehouse nor a product.
    assert process_return(unmapped, "not_restocked").restock == "not_restocked"


# -- FBA returns ------------------------------------------------------------------------------------------------

def test_fba_returns_default_from_the_disposition_into_the_fba_warehouse(returns_shop):
    s = returns_shop
    good = fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1")
    broken = fba_return(s["amazon"], "111-2", "MUG-AMZ", "CUSTOMER_DAMAGED", "LPN2")
    assert process_return(good).restock == "sellable"
    done = process_return(broken)
    assert (done.restock, done.condition, done.restock_warehouse) == ("unsellable", "damaged", s["fba"])
    assert balance(s["mug"], s["fba"]) == (1, 1)


def test_process_fba_returns_leaves_undecided_ones_for_a_person(returns_shop):
    s = returns_shop
    fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1", quantity=2)
    fba_return(s["amazon"], "111-2", "MUG-AMZ", "DEFECTIVE", "LPN2")
    expired = fba_return(s["amazon"], "111-3", "MUG-AMZ", "EXPIRED", "LPN3")
    unmapped = fba_return(s["amazon"], "111-4", "NOT-LISTED", "SELLABLE", "LPN4")
    already = fba_return(s["amazon"], "111-5", "MUG-AMZ", "SELLABLE", "LPN5")
    process_return(already, "not_restocked")

    result = process_fba_returns(s["amazon"])

    assert len(result.processed) == 2
    assert {r.pk for r, _why in result.skipped} == {expired.pk, unmapped.pk}
    assert balance(s["mug"], s["fba"]) == (2, 1)
    assert process_fba_returns(s["amazon"]).processed == []  # nothing twice

    with pytest.raises(ValueError, match="no FBA warehouse"):
        process_fba_returns(s["shop"])


# -- refund link ------------------------------------------------------------------------------------------------

def test_refund_info_reads_the_order_and_its_refund_lines(returns_shop):
    from chuhai.finance.models import LedgerLine

    s = returns_shop
    order = make_order(s["amazon"], "111-7", [(s["mug"], "MUG-AMZ", 1)], fulfilment="fba", status="refunded")
    customer_return = fba_return(s["amazon"], "111-7", "MUG-AMZ", "SELLABLE", "LPN7", order=order)
    lines = [("Refund", "-12.99", "f1"), ("Refund", "1.95", "f2"), ("Order", "12.99", "f3")]
    for kind, amount, fp in lines:
        LedgerLine.objects.create(account=s["amazon"], source="amazon-settlement", fingerprint=fp,
                                  transaction_type=kind, order_ref="111-7", amount=Decimal(amount), currency="USD")
    LedgerLine.objects.create(account=s["amazon"], source="amazon-settlement", fingerprint="f4",
                              transaction_type="Refund", order_ref="111-8", amount=Decimal("-5"), currency="USD")

    info = refund_info(customer_return)
    assert info.refunded and info.order_status == "refunded"
    assert info.settlement_totals == {"USD": Decimal("-11.04")}
    assert info.settlement_lines == 2

    lonely = fba_return(s["amazon"], "111-9", "MUG-AMZ", "SELLABLE", "LPN9")
    assert not refund_info(lonely).refunded


# -- pages ------------------------------------------------------------------------------------------------------

def test_returns_page_filters_exports_and_links_orders(returns_shop, client_as):
    s = returns_shop
    order = make_order(s["amazon"], "111-1", [(s["mug"], "MUG-AMZ", 1)], fulfilment="fba")
    fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1", order=order)
    done = fba_return(s["amazon"], "111-2", "MUG-AMZ", "DEFECTIVE", "LPN2")
    process_return(done)
    client = client_as("viewer")

    page = client.get("/returns/", {"processed": "pending"})
    assert page.status_code == 200
    rows = page.context["table"].rows
    assert len(rows) == 1 and f"/orders/{order.pk}/" in page.content.decode()
    assert "Record a return" not in page.content.decode()  # viewers cannot add
    assert len(client.get("/returns/", {"disposition": "DEFECTIVE"}).context["table"].rows) == 1

    export = client.get("/returns/", {"export": "csv"})
    text = export.content.decode("utf-8-sig")
    assert export.status_code == 200 and "111-1" in text and "111-2" in text


def test_viewer_cannot_process_or_record(returns_shop, client_as):
    s = returns_shop
    customer_return = fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1")
    client = client_as("viewer")
    assert client.post(f"/returns/{customer_return.pk}/", {"restock": "sellable", "warehouse": "FBA-US"}
                       ).status_code == 403
    assert client.get("/returns/new/").status_code == 403
    assert CustomerReturn.objects.get(pk=customer_return.pk).processed_at is None


def test_record_then_process_through_the_pages(returns_shop, client_as):
    s = returns_shop
    make_order(s["shop"], "1001", [(s["mug"], "MUG-01", 2)])
    client = client_as("operations")
    bad = client.post("/returns/new/", {"account": "SHOP-US", "order_id": "9999", "sku": "MUG-01", "quantity": 1})
    assert bad.status_code == 200 and "has no order 9999" in bad.content.decode()

    response = client.post("/returns/new/", {"account": "SHOP-US", "order_id": "1001", "sku": "MUG-01",
                                             "quantity": 2, "reason": "wrong size", "condition": "sellable"})
    created = CustomerReturn.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/{created.pk}/"

    missing = client.post(f"/returns/{created.pk}/", {"restock": "sellable", "warehouse": ""})
    assert "Choose the warehouse" in missing.content.decode()
    client.post(f"/returns/{created.pk}/", {"restock": "sellable", "warehouse": "SZ-MAIN", "condition": "sellable"})
    assert balance(s["mug"], s["domestic"]) == (2, 0)
    again = client.post(f"/returns/{created.pk}/", {"restock": "sellable", "warehouse": "SZ-MAIN"}, follow=True)
    assert "already processed" in again.content.decode()
    assert balance(s["mug"], s["domestic"]) == (2, 0)


# -- API --------------------------------------------------------------------------------------------------------

def test_api_lists_records_and_processes_once(returns_shop, api_as):
    s = returns_shop
    make_order(s["shop"], "1001", [(s["mug"], "MUG-01", 1)])
    fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1")
    ops = api_as("operations")

    created = ops.post("/returns", {"account": "SHOP-US", "order_id": "1001", "sku": "MUG-01", "quantity": 1,
                                    "reason": "broken"})
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert created.json()["order_linked"] is True and created.json()["restock"] == ""
    too_many = ops.post("/returns", {"account": "SHOP-US", "order_id": "1001", "sku": "MUG-01", "quantity": 1})
    assert too_many.status_code == 422

    pending = api_as("viewer").get("/returns", pending="true")
    assert pending.status_code == 200 and pending.json()["count"] == 2
    assert api_as("viewer").post(f"/returns/{rid}/process", {"restock": "sellable"}).status_code == 403

    done = ops.post(f"/returns/{rid}/process", {"restock": "unsellable", "warehouse": "SZ-MAIN"})
    assert done.status_code == 200, done.content
    assert (done.json()["restock"], done.json()["restock_warehouse"]) == ("unsellable", "SZ-MAIN")
    assert ops.post(f"/returns/{rid}/process", {"restock": "sellable", "warehouse": "SZ-MAIN"}).status_code == 409
    assert balance(s["mug"], s["domestic"]) == (0, 1)
    assert ops.post("/returns/99999/process", {"restock": "sellable"}).status_code == 404


# -- CLI --------------------------------------------------------------------------------------------------------

def test_cli_lists_pending_and_processes(returns_shop, chuhai):
    from ..cli.support import assert_user_error

    s = returns_shop
    first = fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1")
    second = fba_return(s["amazon"], "111-2", "MUG-AMZ", "DAMAGED", "LPN2")
    listed = chuhai("returns", "list", "--pending", "--json")
    assert listed.code == 0
    import json

    assert {row["id"] for row in json.loads(listed.out)} == {first.pk, second.pk}

    result = chuhai("returns", "process", str(first.pk), "--restock", "unsellable", "--warehouse", "SZ-MAIN")
    assert result.code == 0, result.err
    assert balance(s["mug"], s["domestic"]) == (0, 1)
    assert_user_error(chuhai("returns", "process", str(first.pk), "--restock", "sellable", "--warehouse",
                             "SZ-MAIN"), "already processed")
    assert_user_error(chuhai("returns", "process", str(second.pk), "--restock", "sellable", "--warehouse",
                             "NOPE"), "unknown warehouse")
    assert [row["id"] for row in json.loads(chuhai("returns", "list", "--pending", "--json").out)] == [second.pk]


def test_stats_count_processed_returns(returns_shop):
    from chuhai.core.stats import entity_counts

    s = returns_shop
    fba_return(s["amazon"], "111-1", "MUG-AMZ", "SELLABLE", "LPN1")
    process_return(fba_return(s["amazon"], "111-2", "MUG-AMZ", "SELLABLE", "LPN2"))
    counts = entity_counts()
    assert (counts["customer_returns"], counts["customer_returns_processed"]) == (2, 1)
