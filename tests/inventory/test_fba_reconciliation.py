"""FBA reconciliation: Amazon's inventory report against the ledger of the account's FBA warehouse — what is
compared, how differences are classified, and corrections only on request (logged), via service, page, API, CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from chuhai.inventory import stock
from chuhai.inventory.fba_reconciliation import (
    NoFbaWarehouse,
    NoSnapshot,
    StaleReconciliation,
    apply_corrections,
    reconcile,
)
from chuhai.inventory.ledger import MovementKind, StockBalance, StockMovement
from chuhai.inventory.models import FbaInventorySnapshot, Warehouse

from ..api.conftest import ApiClient
from ..cli.support import assert_user_error

DAY1, DAY2 = dt.date(2026, 3, 1), dt.date(2026, 3, 8)


@pytest.fixture
def fba(db, product, bundle):
    """AMZ-US with FBA-US as its FBA warehouse; MUG-01 (``product``) listed as MUG-AMZ; LID-01; GIFT-SET bundle."""
    from chuhai.catalog.models import Product
    from chuhai.catalog.services import create_listing
    from chuhai.channels.services import create_account
    from chuhai.inventory.channel_rules import AllocationRule

    account = create_account("AMZ-US", "amazon", "US")
    warehouse = Warehouse.objects.create(code="FBA-US", type="fba", country="US", time_zone="America/Los_Angeles")
    AllocationRule.objects.create(account=account, fba_warehouse=warehouse)
    create_listing(account, product, "MUG-AMZ")
    return {"account": account, "warehouse": warehouse, "mug": product, "lid": Product.objects.get(sku="LID-01"),
            "gift": bundle}


def snapshot(account, sku, day=DAY2, fnsku="", **figures):
    return FbaInventorySnapshot.objects.create(account=account, snapshot_date=day, sku=sku, fnsku=fnsku or f"X-{sku}",
                                               **figures)


def by_key(result):
    return {(d.sku, d.state): d for d in result.differences}


def ledger(product, warehouse):
    b = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    return (b.on_hand, b.reserved, b.unsellable, b.inbound) if b else (0, 0, 0, 0)


def test_differences_are_compared_and_classified(fba):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 10)
    stock.reserve(f["mug"], f["warehouse"], 2, reference="111-1")
    stock.receive(f["lid"], f["warehouse"], 3)  # Amazon never mentions LID-01
    # Amazon: 5 fulfillable + 2 reserved (orders being picked) = 7 sellable vs 10 on hand; 2 unsellable; 4 inbound.
    snapshot(f["account"], "MUG-AMZ", fulfillable=5, reserved=2, unsellable=2, inbound_shipped=4, researching=1)
    snapshot(f["account"], "UNKNOWN-SKU", fulfillable=6)

    result = reconcile(f["account"])
    diffs = by_key(result)
    assert result.snapshot_date == DAY2 and result.warehouse == f["warehouse"]
    lost = diffs[("MUG-01", "on_hand")]
    assert (lost.kind, lost.amazon, lost.ledger, lost.correction) == ("lost", 7, 10, -3)
    assert lost.channel_skus == ("MUG-AMZ",) and lost.researching == 1 and lost.as_of == DAY2
    assert (diffs[("MUG-01", "unsellable")].kind, diffs[("MUG-01", "unsellable")].correction) == ("damaged", 2)
    assert (diffs[("MUG-01", "inbound")].kind, diffs[("MUG-01", "inbound")].correction) == ("inbound", 4)
    assert (diffs[("LID-01", "on_hand")].kind, diffs[("LID-01", "on_hand")].correction) == ("lost", -3)
    unmapped = diffs[("UNKNOWN-SKU", "")]
    assert (unmapped.kind, unmapped.amazon, unmapped.correctable) == ("unmapped", 6, False)
    assert result.counts() == {"lost": 2, "damaged": 1, "inbound": 1, "unmapped": 1}


def test_reserved_units_at_amazon_count_as_sellable(fba):
    """Orders being picked are in Amazon's 'reserved', still in the ledger's on hand: no difference."""
    f = fba
    stock.receive(f["mug"], f["warehouse"], 5)
    stock.reserve(f["mug"], f["warehouse"], 2, reference="111-1")
    snapshot(f["account"], "MUG-AMZ", fulfillable=3, reserved=2)
    result = reconcile(f["account"])
    assert result.differences == [] and result.matched == 3


def test_surplus_at_amazon_and_missing_unsellable_are_unaccounted(fba):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 2)
    stock.adjust(f["mug"], f["warehouse"], 3, "damaged on arrival", state="unsellable")
    snapshot(f["account"], "MUG-AMZ", fulfillable=4, unsellable=1)
    diffs = by_key(reconcile(f["account"]))
    assert (diffs[("MUG-01", "on_hand")].kind, diffs[("MUG-01", "on_hand")].correction) == ("unaccounted", 2)
    assert (diffs[("MUG-01", "unsellable")].kind, diffs[("MUG-01", "unsellable")].correction) == ("unaccounted", -2)


def test_bundle_skus_count_as_components_and_our_own_sku_maps_too(fba):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 5)
    stock.receive(f["lid"], f["warehouse"], 2)
    snapshot(f["account"], "GIFT-SET", fulfillable=2)  # no listing: our product SKU; 2 sets = 4 mugs + 2 lids
    snapshot(f["account"], "MUG-AMZ", fulfillable=1)
    result = reconcile(f["account"])
    assert result.differences == []
    assert not any(d.sku == "GIFT-SET" for d in result.differences)


def test_each_sku_is_read_from_its_latest_report(fba):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 4)
    stock.receive(f["lid"], f["warehouse"], 9)
    snapshot(f["account"], "MUG-AMZ", day=DAY1, fulfillable=99)  # superseded
    snapshot(f["account"], "MUG-AMZ", day=DAY2, fulfillable=4)
    snapshot(f["account"], "LID-01", day=DAY1, fulfillable=7)  # absent from the latest report
    diffs = by_key(reconcile(f["account"]))
    assert ("MUG-01", "on_hand") not in diffs
    lid = diffs[("LID-01", "on_hand")]
    assert (lid.amazon, lid.as_of) == (7, DAY1)
    # As of DAY1 the mug report said 99.
    assert by_key(reconcile(f["account"], DAY1))[("MUG-01", "on_hand")].amazon == 99


def test_corrections_only_on_request_logged_and_inbound_only_when_named(fba, django_user_model):
    f = fba
    user = django_user_model.objects.create_user("auditor")
    stock.receive(f["mug"], f["warehouse"], 10)
    snapshot(f["account"], "MUG-AMZ", fulfillable=7, unsellable=2, inbound_working=3)
    reconcile(f["account"])
    assert StockMovement.objects.filter(kind=MovementKind.FBA_CORRECTION).count() == 0  # reading changes nothing

    with pytest.raises(ValueError, match="why"):
        apply_corrections(f["account"], DAY2, user=user, reason="  ")
    done = apply_corrections(f["account"], DAY2, user=user, reason="checked with Amazon, case 42")

    assert {(c.state, c.quantity, c.kind) for c in done} == {("on_hand", -3, "lost"), ("unsellable", 2, "damaged")}
    moves = StockMovement.objects.filter(kind=MovementKind.FBA_CORRECTION)
    assert moves.count() == 2
    for move in moves:
        assert move.user == user and move.reference == "fba-recon:AMZ-US:2026-03-08"
        assert move.reason.startswith("checked with Amazon, case 42")
    assert ledger(f["mug"], f["warehouse"]) == (7, 0, 2, 0)
    assert [d.state for d in reconcile(f["account"]).differences] == ["inbound"]
    assert apply_corrections(f["account"], DAY2, user=user, reason="again") == []  # nothing left by default

    apply_corrections(f["account"], DAY2, ["MUG-AMZ"], user=user, reason="plan created", states=["inbound"])
    assert ledger(f["mug"], f["warehouse"]) == (7, 0, 2, 3)
    assert reconcile(f["account"]).differences == []


def test_reviewed_rows_that_changed_are_refused(fba):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 10)
    snapshot(f["account"], "MUG-AMZ", fulfillable=7)
    shown = {d.key: d.correction for d in reconcile(f["account"]).differences}
    assert shown == {"on_hand|MUG-01": -3}
    stock.receive(f["mug"], f["warehouse"], 1)  # the ledger moves while the person reads
    with pytest.raises(StaleReconciliation, match="now -4"):
        apply_corrections(f["account"], DAY2, reason="as reviewed", expected=shown)
    assert StockMovement.objects.filter(kind=MovementKind.FBA_CORRECTION).count() == 0
    done = apply_corrections(f["account"], DAY2, reason="as reviewed", expected={"on_hand|MUG-01": -4})
    assert [c.quantity for c in done] == [-4]


def test_a_correction_may_not_take_reserved_units(fba):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 5)
    stock.reserve(f["mug"], f["warehouse"], 5, reference="111-1")
    snapshot(f["account"], "MUG-AMZ", fulfillable=0, reserved=2)
    with pytest.raises(stock.InsufficientStock):
        apply_corrections(f["account"], DAY2, reason="lost at Amazon")
    assert ledger(f["mug"], f["warehouse"]) == (5, 5, 0, 0)


def test_accounts_without_fba_warehouse_or_report(fba):
    from chuhai.channels.services import create_account

    with pytest.raises(NoSnapshot):
        reconcile(fba["account"])
    with pytest.raises(NoFbaWarehouse):
        reconcile(create_account("SHOP-US", "shopify", "US"))


# -- page -------------------------------------------------------------------------------------------------------

def test_page_lists_exports_and_applies_ticked_rows(fba, client_as):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 10)
    snapshot(f["account"], "MUG-AMZ", fulfillable=7, unsellable=1)
    viewer = client_as("viewer")
    page = viewer.get("/fba/reconciliation/", {"account": "AMZ-US"})
    assert page.status_code == 200
    assert [(r["diff"].sku, r["diff"].state) for r in page.context["rows"]] == [("MUG-01", "on_hand"),
                                                                               ("MUG-01", "unsellable")]
    assert 'name="row"' not in page.content.decode()  # viewers see no checkboxes
    export = viewer.get("/fba/reconciliation/", {"account": "AMZ-US", "export": "csv"})
    assert "MUG-AMZ" in export.content.decode("utf-8-sig")
    assert viewer.post("/fba/reconciliation/", {"account": "AMZ-US", "date": "2026-03-08", "reason": "x",
                                                "row": "on_hand|MUG-01|-3"}).status_code == 403

    ops = client_as("operations")
    no_reason = ops.post("/fba/reconciliation/", {"account": "AMZ-US", "date": "2026-03-08",
                                                  "row": "on_hand|MUG-01|-3"}, follow=True)
    assert "Say why" in no_reason.content.decode()
    response = ops.post("/fba/reconciliation/", {"account": "AMZ-US", "date": "2026-03-08", "reason": "case 7",
                                                 "row": ["on_hand|MUG-01|-3"]}, follow=True)
    assert "1 correction(s) posted" in response.content.decode()
    assert ledger(f["mug"], f["warehouse"]) == (7, 0, 0, 0)  # the unticked unsellable row stays as it was
    move = StockMovement.objects.get(kind=MovementKind.FBA_CORRECTION)
    assert move.user.username == "operations_user"


# -- API --------------------------------------------------------------------------------------------------------

def test_api_reconciliation_and_apply(fba, role_users):
    from chuhai.core.users import issue_token

    f = fba
    stock.receive(f["mug"], f["warehouse"], 10)
    snapshot(f["account"], "MUG-AMZ", fulfillable=8)
    viewer = ApiClient(issue_token("viewer_user", name="t"))
    ops = ApiClient(issue_token("operations_user", name="t"))

    got = viewer.get("/fba/reconciliation", account="AMZ-US")
    assert got.status_code == 200, got.content
    body = got.json()
    assert body["reference"] == "fba-recon:AMZ-US:2026-03-08"
    assert [(d["sku"], d["kind"], d["correction"]) for d in body["differences"]] == [("MUG-01", "lost", -2)]
    assert viewer.get("/fba/reconciliation", account="NOPE").status_code == 422

    payload = {"account": "AMZ-US", "snapshot_date": "2026-03-08", "reason": "api check"}
    assert viewer.post("/fba/reconciliation/apply", payload).status_code == 403
    stale = ops.post("/fba/reconciliation/apply", {**payload, "expected": {"on_hand|MUG-01": -5}})
    assert stale.status_code == 409
    applied = ops.post("/fba/reconciliation/apply", payload)
    assert applied.status_code == 201, applied.content
    assert applied.json()["corrections"] == [{"sku": "MUG-01", "state": "on_hand", "quantity": -2, "kind": "lost"}]
    assert ledger(f["mug"], f["warehouse"]) == (8, 0, 0, 0)


# -- CLI --------------------------------------------------------------------------------------------------------

def test_cli_reconcile_and_apply(fba, chuhai):
    f = fba
    stock.receive(f["mug"], f["warehouse"], 10)
    snapshot(f["account"], "MUG-AMZ", fulfillable=9)

    listed = chuhai("fba", "reconcile", "--account", "AMZ-US", "--json")
    assert listed.code == 0, listed.err
    assert [(d["sku"], d["correction"]) for d in json.loads(listed.out)["differences"]] == [("MUG-01", -1)]
    assert ledger(f["mug"], f["warehouse"]) == (10, 0, 0, 0)
    assert_user_error(chuhai("fba", "reconcile", "--account", "AMZ-US", "--apply"), "--reason")
    assert_user_error(chuhai("fba", "reconcile", "--account", "NOPE"), "unknown account")

    applied = chuhai("fba", "reconcile", "--account", "AMZ-US", "--apply", "--reason", "cli check")
    assert applied.code == 0, applied.err
    assert "Applied 1 correction(s)" in applied.out
    assert ledger(f["mug"], f["warehouse"]) == (9, 0, 0, 0)
    assert StockMovement.objects.get(kind=MovementKind.FBA_CORRECTION).reason.startswith("cli check")
