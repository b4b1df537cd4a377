"""chuhai.strategy.scenarios: the three what-ifs as pure computations on hand-worked assumptions, prefilled
from the hand-worked hybrid seller (ledger_builders: lookback September – November 2026), their errors, and
saving one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuhai.analytics.metric_layer import engine
from chuhai.strategy import scenarios
from chuhai.strategy.models import Scenario
from chuhai.strategy.scenarios import ScenarioError, run_scenario, save_scenario

from .ledger_builders import TODAY, hybrid_seller

D = Decimal
CENT = D("0.01")


@pytest.fixture
def db_engine(transactional_db):
    yield
    engine.close()


@pytest.fixture
def seller(db_engine):
    from chuhai.finance.fee_schedule_data import load_default_schedules

    load_default_schedules()  # a transactional test starts from empty tables
    return hybrid_seller()


def c(value) -> Decimal:
    return D(value).quantize(CENT)


# -- pure computations ----------------------------------------------------------------------------------------------

def test_move_to_own_site_figures_by_hand():
    v = {"price_on_site": D("100"), "payment_fee_percent": D("3"), "payment_fee_per_order": D("0"),
         "own_fulfilment_per_unit": D("12"),
         "cogs_per_unit": D("25"), "units_per_order": D("2"), "acquisition_cost_per_order": D("40"),
         "platform_contribution_per_unit": D("30"), "platform_price_per_unit": D("90"),
         "platform_monthly_contribution": D("3000")}
    f = scenarios.compute_move_to_own_site(v)
    # 100 − 3 − 12 − 25 = 60 before acquisition; 40 per order over 2 units = 20 per unit → 40
    assert f["site_contribution_before_acquisition"] == D("60") and f["acquisition_per_unit"] == D("20")
    assert f["site_contribution_per_unit"] == D("40") and f["site_margin_percent"] == D("40")
    assert f["difference_per_unit"] == D("10") and c(f["platform_margin_percent"]) == c(D("30") * 100 / 90)
    # break-even: 60 × 2 = 120 per order; matching the platform: (60 − 30) × 2 = 60
    assert f["break_even_acquisition_cost"] == D("120") and f["matching_acquisition_cost"] == D("60")
    # 3,000 a month ÷ 40 = 75 units = 37.5 orders → 38 when shown
    assert f["site_units_per_month"] == D("75") and f["site_orders_per_month"] == D("37.5")

    # a loss per unit on the site: no volume makes up for it
    loss = scenarios.compute_move_to_own_site({**v, "acquisition_cost_per_order": D("130")})
    assert loss["site_contribution_per_unit"] == D("-5") and loss["site_units_per_month"] is None
    # a fixed payment fee of 1 per order is 0.50 per unit at 2 units an order
    fixed = scenarios.compute_move_to_own_site({**v, "payment_fee_per_order": D("1")})
    assert fixed["site_contribution_before_acquisition"] == D("59.5")


def test_dropship_vs_stock_figures_by_hand():
    v = {"unit_price": D("50"), "selling_costs_per_unit": D("10"), "dropship_price": D("25"),
         "purchase_cost": D("8"), "freight_per_unit": D("2"), "storage_per_unit_month": D("0.5"),
         "stock_months": D("3"), "supplier_terms_days": D("30"), "dropship_terms_days": D("0"),
         "payout_delay_days": D("14"), "monthly_units": D("300")}
    f = scenarios.compute_dropship_vs_stock(v)
    assert f["dropship_margin_per_unit"] == D("15") and f["dropship_margin_percent"] == D("30")
    # 8 + 2 + 0.5 × 3 = 11.5 → 50 − 10 − 11.5 = 28.5 = 57 %
    assert f["stock_cost_per_unit"] == D("11.5") and f["stock_margin_per_unit"] == D("28.5")
    assert f["stock_margin_percent"] == D("57")
    # cycle: dropship 0 + 14 − 0 = 14; stock 90 + 14 − 30 = 74 days
    assert (f["dropship_cash_cycle_days"], f["stock_cash_cycle_days"]) == (D("14"), D("74"))
    # cash: 300 units × 25 ÷ 30 × 14 = 3,500; 300 × 10 ÷ 30 × 74 = 7,400
    assert f["dropship_cash_tied_up"] == D("3500") and f["stock_cash_tied_up"] == D("7400")
    assert scenarios.compute_dropship_vs_stock({**v, "monthly_units": None})["stock_cash_tied_up"] is None


def test_add_market_figures_by_hand():
    v = {"price_local": D("23.80"), "fx_rate": D("8"), "vat_percent": D("19"), "referral_fee_percent": D("15"),
         "fulfilment_per_unit": D("30"), "purchase_cost": D("14"), "first_leg_freight_per_unit": D("6"),
         "duty_percent": D("10"), "advertising_per_unit": D("5"), "current_contribution_per_unit": D("40"),
         "current_margin_percent": D("45")}
    f = scenarios.compute_add_market(v)
    # 23.80 EUR × 8 = 190.40 CNY, of which VAT 19/119 = 30.40 → net 160; referral 15 % of 190.40 = 28.56
    assert f["price_base"] == D("190.40") and c(f["vat_per_unit"]) == D("30.40") and c(f["net_price"]) == D("160")
    assert f["referral_fee"] == D("28.56")
    # landed (14 + 6) × 1.10 = 22; contribution 160 − 28.56 − 30 − 5 − 22 = 74.44 → 46.525 %
    assert f["landed_cost"] == D("22") and c(f["contribution_per_unit"]) == D("74.44")
    assert c(f["margin_percent"]) == c(D("74.44") * 100 / 160)
    assert c(f["difference_per_unit_vs_current"]) == D("34.44")
    assert c(f["margin_points_vs_current"]) == c(D("74.44") * 100 / 160 - 45)


# -- prefilled from the ledger --------------------------------------------------------------------------------------

def test_move_cable_from_amazon_prefilled_from_the_ledger(seller):
    result = run_scenario("move_to_own_site", {"sku": "CABLE", "acquisition_cost_per_order": "30"}, today=TODAY)
    a = result.assumptions
    # CABLE on amazon, September – November: revenue 420, contribution 176 (incl. the −6 period fee) over 5
    # units (3 + 2 + 1 − 1) and 3 orders
    assert (a["from_channel"].value, a["from_channel"].source) == ("amazon", "ledger")
    assert a["platform_contribution_per_unit"].value == D("176") / 5 and a["platform_contribution_per_unit"].source \
        == "ledger"
    assert a["price_on_site"].value == D("84") and a["cogs_per_unit"].value == D("14")
    assert a["units_per_order"].value == D(5) / D(3)
    assert a["platform_monthly_contribution"].value == D("176") / 3
    # the own site's postage: 45 over 3 units; the payment fees from Shopify's schedules: 2.9 % + 0.30 USD
    assert (a["own_fulfilment_per_unit"].value, a["own_fulfilment_per_unit"].source) == (D("15"), "ledger")
    assert (a["payment_fee_percent"].value, a["payment_fee_percent"].source) == (D("2.9"), "reference")
    assert (a["payment_fee_per_order"].value, a["payment_fee_per_order"].source) == (D("2.10"), "reference")
    assert (a["acquisition_cost_per_order"].value, a["acquisition_cost_per_order"].source) == (D("30"), "user")

    f = result.figures
    upo = D(5) / D(3)
    before = D("84") - D("84") * D("0.029") - D("2.10") / upo - 15 - 14  # 84 − 2.436 − 1.26 − 29 = 51.304
    site = before - D(30) / upo  # 51.304 − 18 = 33.304
    assert c(f["site_contribution_per_unit"]) == c(site) == D("33.30")
    assert c(f["break_even_acquisition_cost"]) == c(before * upo)
    assert c(f["matching_acquisition_cost"]) == c((before - D("35.2")) * upo)
    data = result.to_dict()
    # 58.67 a month ÷ 33.304 = 1.76 units → 2 units; 1.06 orders → 2 orders
    assert data["figures"]["site_units_per_month"]["value"] == "2"
    assert data["figures"]["site_orders_per_month"]["value"] == "2"
    assert data["figures"]["site_contribution_per_unit"]["value"] == "33.30"
    assert data["currency"] == "CNY"
    shown = {x["key"]: x for x in data["assumptions"]}
    assert shown["price_on_site"]["currency"] == "CNY" and shown["price_on_site"]["value"] == "84.00"
    assert (shown["units_per_order"]["value"], shown["units_per_order"]["exact"]) == ("1.67", str(D(5) / D(3)))
    assert shown["from_channel"]["value"] == "amazon" and shown["from_channel"]["currency"] is None
    sources = {x["key"]: x["source"] for x in data["assumptions"]}
    assert sources["sku"] == "user" and sources["platform_monthly_contribution"] == "ledger"


def test_from_one_account(seller):
    # AMZ-US alone sells CABLE on amazon: same figures as the channel; AMZ-DE never sold it
    result = run_scenario("move_to_own_site", {"sku": "CABLE", "acquisition_cost_per_order": "30",
                                               "from_channel": "AMZ-US"}, today=TODAY)
    assert result.value("platform_contribution_per_unit") == D("176") / 5
    with pytest.raises(ScenarioError, match="platform_contribution_per_unit"):
        run_scenario("move_to_own_site", {"sku": "CABLE", "acquisition_cost_per_order": "30",
                                          "from_channel": "AMZ-DE", "price_on_site": "84", "cogs_per_unit": "14"},
                     today=TODAY)
    with pytest.raises(ScenarioError, match="from_channel: 'own_site' is not a platform"):
        run_scenario("move_to_own_site", {"sku": "CABLE", "from_channel": "SHOP-US"}, today=TODAY)


def test_the_user_overrides_the_ledger(seller):
    result = run_scenario("move_to_own_site", {"sku": "CABLE", "acquisition_cost_per_order": "30",
                                               "price_on_site": "99.50", "payment_fee_percent": ""}, today=TODAY)
    assert (result.value("price_on_site"), result.assumptions["price_on_site"].source) == (D("99.50"), "user")
    assert result.assumptions["payment_fee_percent"].source == "reference"


def test_dropship_vs_stock_prefilled_for_cable(seller):
    result = run_scenario("dropship_vs_stock", {
        "sku": "CABLE", "dropship_price": "40", "freight_per_unit": "3", "storage_per_unit_month": "0.5",
        "stock_months": "2", "supplier_terms_days": "30", "payout_delay_days": "14"}, today=TODAY)
    a = result.assumptions
    # CABLE on every channel: revenue 420 + 252 = 672 over 8 units = 84; fees 63 + 8.82, ads 35 + 20, postage 45
    assert a["unit_price"].value == D("84") and a["unit_price"].source == "ledger"
    assert a["selling_costs_per_unit"].value == (D("71.82") + D("55") + D("45")) / 8
    # purchase cost 2.00 USD × 7
    assert (a["purchase_cost"].value, a["purchase_cost"].source) == (D("14"), "ledger")
    assert a["monthly_units"].value == D(8) / 3
    assert (a["dropship_terms_days"].value, a["dropship_terms_days"].source) == (D(0), "default")
    f = result.figures
    selling = D("171.82") / 8
    assert c(f["dropship_margin_per_unit"]) == c(84 - selling - 40)
    assert c(f["stock_margin_per_unit"]) == c(84 - selling - 18)
    assert (f["dropship_cash_cycle_days"], f["stock_cash_cycle_days"]) == (D(14), D(44))
    assert c(f["stock_cash_tied_up"]) == c(D(8) / 3 * 17 / 30 * 44)


def test_add_market_prefilled_for_cable_in_germany(seller):
    result = run_scenario("add_market", {"sku": "CABLE", "market": "de", "price_local": "19.99",
                                         "fulfilment_per_unit": "25", "first_leg_freight_per_unit": "5"},
                          today=TODAY)
    a = result.assumptions
    assert a["market"].value == "DE"
    assert (a["local_currency"].value, a["fx_rate"].value, a["vat_percent"].value) == ("EUR", D("8"), D("19"))
    assert a["vat_percent"].source == "reference" and a["platform"].value == "amazon"
    # Amazon DE "Cables" (Elektronik-Zubehör) 15 % from the seeded fee schedules
    assert (a["referral_fee_percent"].value, a["referral_fee_percent"].source) == (D("15"), "reference")
    assert a["purchase_cost"].value == D("14") and a["duty_percent"].source == "default"
    # CABLE's ads: 55 over 8 units; its current market US: contribution 312.18 over 8 units, margin on 672
    assert a["advertising_per_unit"].value == D("55") / 8
    assert a["current_market"].value == "US"
    assert a["current_contribution_per_unit"].value == D("312.18") / 8
    f = result.figures
    price = D("19.99") * 8
    net = price * 100 / 119
    contribution = net - price * D("0.15") - 25 - D("55") / 8 - 19
    assert c(f["contribution_per_unit"]) == c(contribution)
    assert c(f["margin_percent"]) == c(contribution * 100 / net)
    assert c(f["difference_per_unit_vs_current"]) == c(contribution - D("312.18") / 8)
    shown = {x["key"]: x for x in result.to_dict()["assumptions"]}
    assert (shown["price_local"]["currency"], shown["price_local"]["value"]) == ("EUR", "19.99")
    assert shown["fx_rate"]["source"] == "reference" and shown["fx_rate"]["currency"] is None


def test_a_viewer_gets_no_profit_prefill(seller, role_users):
    # the price on the site would come from the platform's revenue: a profit figure
    with pytest.raises(ScenarioError, match="price_on_site .* is missing"):
        run_scenario("move_to_own_site", {"sku": "CABLE", "acquisition_cost_per_order": "30",
                                          "from_channel": "amazon"}, today=TODAY, user=role_users["viewer"])


# -- errors ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "assumptions", "message"), [
    ("hold_forever", {}, "unknown scenario 'hold_forever'"),
    ("dropship_vs_stock", {"unit_prise": "10"}, "unknown assumption unit_prise"),
    ("dropship_vs_stock", {"unit_price": "ten"}, "unit_price: 'ten' is not a number"),
    ("dropship_vs_stock", {"unit_price": "-3"}, "unit_price: -3 cannot be negative"),
    ("add_market", {"market": "Germany"}, "market: 'Germany' is not an ISO 3166 country code"),
    ("add_market", {"vat_percent": "120"}, "vat_percent: 120 is a percentage"),
    ("dropship_vs_stock", {"unit_price": "50"}, r"dropship_price \(Dropship supplier price"),
    ("move_to_own_site", {"from_channel": "own_site"}, "from_channel: 'own_site' is not a platform"),
    ("add_market", {"sku": "X", "platform": "amazn"}, "platform: 'amazn' is not a platform; choose one of amazon"),
    ("move_to_own_site", {"units_per_order": "0"}, "units_per_order: must be more than 0"),
])
def test_errors_name_the_assumption(db, kind, assumptions, message):
    with pytest.raises(ScenarioError, match=message):
        run_scenario(kind, assumptions, today=TODAY)


# -- saving ----------------------------------------------------------------------------------------------------------

def test_save_scenario_keeps_assumptions_and_result(seller, role_users):
    user = role_users["finance"]  # may add scenarios and see the ledger's profit figures
    saved = save_scenario("move_to_own_site", "Cable to the site", {"sku": "CABLE",
                          "acquisition_cost_per_order": D("30")}, user, today=TODAY)
    stored = Scenario.objects.get(pk=saved.pk)
    assert (stored.name, stored.kind, stored.created_by) == ("Cable to the site", "move_to_own_site", user)
    assert stored.assumptions == {"sku": "CABLE", "acquisition_cost_per_order": "30"}
    assert stored.result["figures"]["site_contribution_per_unit"]["value"] == "33.30"
    assert {a["key"]: a["source"] for a in stored.result["assumptions"]}["price_on_site"] == "ledger"
    assert stored.history.count() == 1

    with pytest.raises(ScenarioError, match="name"):
        save_scenario("move_to_own_site", "  ", {"sku": "CABLE"}, user, today=TODAY)
    with pytest.raises(ScenarioError, match="acquisition_cost_per_order"):
        save_scenario("move_to_own_site", "x", {"sku": "CABLE"}, user, today=TODAY)
    assert Scenario.objects.count() == 1


def test_a_viewer_may_not_save(seller, role_users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        save_scenario("dropship_vs_stock", "x", {"unit_price": "1"}, role_users["viewer"], today=TODAY)


def test_stock_months_from_the_layers_days_of_cover(seller):
    import datetime as dt

    from chuhai.inventory.ledger import StockMovement
    from chuhai.inventory.models import Warehouse
    from chuhai.inventory.reservations import Reservation

    cable = seller["products"]["CABLE"]
    sz = Warehouse.objects.create(code="SZ", type="domestic", country="CN")

    def move(kind, state, qty, day):
        StockMovement(product=cable, warehouse=sz, kind=kind, state=state, quantity=qty, reason="test",
                      created_at=dt.datetime.combine(day, dt.time(13), tzinfo=dt.UTC)).save()

    move("receipt", "on_hand", 30, dt.date(2026, 8, 1))
    for name in ("S1", "S2"):  # the site's orders shipped from Shenzhen: 1 + 2 units
        order = seller["orders"][name]
        line = order.lines.get()
        day = order.purchased_at.date()
        move("reserve", "reserved", line.quantity, day)
        move("shipment", "reserved", -line.quantity, day)
        move("shipment", "on_hand", -line.quantity, day)
        Reservation.objects.create(order_line=line, product=cable, warehouse=sz, quantity=line.quantity,
                                   status="shipped")
    result = run_scenario("dropship_vs_stock", {"sku": "CABLE", "dropship_price": "40", "freight_per_unit": "3",
                                                "storage_per_unit_month": "0.5", "payout_delay_days": "14"},
                          today=TODAY)
    # 27 on hand at the end of November; sold in the 91 days of September – November: every sale line of CABLE,
    # whichever warehouse (or none) served it, 3 + 2 + 1 + 1 + 2 = 9 → 27 × 91 ÷ 9 = 273 days = 9.1 months
    assert (result.value("stock_months"), result.assumptions["stock_months"].source) == (D("273") / 30, "ledger")
