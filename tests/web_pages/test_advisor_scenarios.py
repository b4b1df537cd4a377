"""/strategy/scenarios/: the three what-ifs with their assumptions' sources (ledger vs entered), saving one, the
saved list, channel conflicts, and the unit-economics tables (finance only) with their exports.

Data (base USD, time zone UTC, relative to today so the scenarios' lookback sees it): CABLE-1 (cost 2.00 USD)
listed at 9.99 on AMZ-US (Amazon) and 12.99 on SITE-US (Shopify, own site) — the platform undercuts the site;
last month AMZ-US sold 4 × 10.00 (profit: revenue 40, fees −6, ads −4, cogs −8) and SITE-US 1 × 13.00 (revenue
13, fees −0.50, postage −3, cogs −2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from chuhai.analytics.dashboards import company_today
from chuhai.analytics.metric_layer import engine as layer_engine
from chuhai.analytics.stage import add_months
from chuhai.catalog.services import create_listing, create_product
from chuhai.channels.services import create_account
from chuhai.core.money import quantize
from chuhai.finance.profit_facts import ProfitFact
from chuhai.strategy import economics, scenarios
from chuhai.strategy.models import Scenario
from tests.analytics.ml_builders import company, make_order

D = Decimal
URL = "/strategy/scenarios/"
DROPSHIP = {"unit_price": "20", "dropship_price": "11", "purchase_cost": "5", "freight_per_unit": "1.5",
            "storage_per_unit_month": "0.2", "stock_months": "2", "payout_delay_days": "14",
            "monthly_units": "300"}


def fact(line, order, account, product, day, **amounts):
    amounts = {k: D(v) for k, v in amounts.items()}
    ProfitFact.objects.create(
        kind="order_line", order_line=line, order=order, account=account, product=product, sku=product.sku,
        listing_sku=line.channel_sku, marketplace=account.marketplace, ship_country=order.ship_country, day=day,
        month=day.replace(day=1), units=line.quantity, currency="USD", profit=sum(amounts.values(), D(0)),
        settled=True, **amounts)


@pytest.fixture
def shop(transactional_db):
    company(base="USD", tz="UTC")
    amazon = create_account("AMZ-US", "amazon", "US")
    site = create_account("SITE-US", "shopify", "US")
    cable = create_product("CABLE-1", name_en="USB-C cable", cost=D("2.00"), cost_currency="USD",
                           category="cables")
    create_listing(amazon, cable, "AMZ-CABLE", price=D("9.99"))
    create_listing(site, cable, "SITE-CABLE", price=D("12.99"))
    month = add_months(company_today().replace(day=1), -1)
    day = month.replace(day=15)
    when = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    o1, (l1,) = make_order(amazon, "A1", when, "1", [(cable, 4, "10.00")], customer="c1", ship="US",
                           base_currency="USD")
    o2, (l2,) = make_order(site, "S1", when, "1", [(cable, 1, "13.00")], customer="c2", ship="US",
                           base_currency="USD")
    fact(l1, o1, amazon, cable, day, revenue="40.00", platform_fees="-6.00", advertising="-4.00", cogs="-8.00")
    fact(l2, o2, site, cable, day, revenue="13.00", platform_fees="-0.50", logistics="-3.00", cogs="-2.00")
    yield {"amazon": amazon, "site": site, "cable": cable, "month": month}
    layer_engine.close()


def query(kind: str, values: dict) -> dict:
    return {"kind": kind, **{f"{kind}-{k}": v for k, v in values.items()}}


def figures(html: str, kind: str) -> dict[str, str]:
    card = html.split(f'id="scenario-{kind}"')[1].split('class="card scenario-card"')[0]
    card = card.split('id="saved-scenarios"')[0]
    return dict(re.findall(r'data-figure="([^"]+)" data-value="([^"]*)"', card))


def sources(html: str, kind: str) -> dict[str, str]:
    card = html.split(f'id="scenario-{kind}"')[1].split('id="saved-scenarios"')[0]
    return dict(re.findall(r'data-assumption="([^"]+)" data-source="([^"]+)"', card))


# -- who sees what -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["viewer", "purchasing"])
def test_read_only_roles_see_scenarios_but_cannot_save(shop, client_as, role):
    client = client_as(role)
    html = client.get(URL, query("dropship_vs_stock", DROPSHIP)).content.decode()
    assert all(f'id="scenario-{kind}"' in html for kind in scenarios.KINDS)
    assert figures(html, "dropship_vs_stock")  # the result shows
    assert "scenario-save-" not in html
    assert 'id="table-ue-channel"' not in html  # profit figures are finance's
    response = client.post("/strategy/scenarios/save/", {**query("dropship_vs_stock", DROPSHIP), "name": "x"})
    assert response.status_code == 403
    assert not Scenario.objects.exists()


def test_unit_economics_only_for_finance(shop, client_as):
    operations = client_as("operations").get(URL, query("dropship_vs_stock", DROPSHIP)).content.decode()
    assert 'id="table-ue-channel"' not in operations and "scenario-save-dropship_vs_stock" in operations
    assert client_as("operations").get(URL + "?export=csv&table=ue-channel").status_code == 404

    finance = client_as("finance").get(URL).content.decode()
    assert 'id="table-ue-channel"' in finance and 'id="table-ue-sku"' in finance
    start = company_today() - dt.timedelta(days=89)
    rows = {r.key: r for r in economics.unit_economics("channel", date_from=start, date_to=company_today())}
    assert set(rows) == {"amazon", "own_site"}

    response = client_as("finance").get(URL + "?export=csv&table=ue-channel")
    exported = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_channel = {r["Channel"]: r for r in exported}
    assert set(by_channel) == {"amazon", "own_site"}
    for key, row in rows.items():
        assert D(by_channel[key]["Contribution"]) == quantize(row.contribution, "USD")
        assert int(by_channel[key]["Units"]) == row.units
    assert D(by_channel["amazon"]["Contribution"]) == D("22.00")  # 40 − 6 − 4 − 8, by hand
    xlsx = client_as("finance").get(URL + "?export=xlsx&table=ue-sku")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')


# -- running and saving --------------------------------------------------------------------------------------------

def test_move_to_own_site_takes_the_platform_figures_from_the_ledger(shop, client_as, role_users):
    typed = {"sku": "CABLE-1", "acquisition_cost_per_order": "3", "payment_fee_percent": "2.9",
             "own_fulfilment_per_unit": "2.5"}
    html = client_as("finance").get(URL, query("move_to_own_site", typed)).content.decode()
    found = sources(html, "move_to_own_site")
    assert found["sku"] == "user" and found["acquisition_cost_per_order"] == "user"
    assert found["platform_contribution_per_unit"] == "ledger" and found["from_channel"] == "ledger"
    expected = scenarios.run_scenario("move_to_own_site", typed, user=role_users["finance"]).to_dict()
    shown = figures(html, "move_to_own_site")
    assert shown == {k: (f["value"] or "") for k, f in expected["figures"].items()}
    # 22.00 contribution over 4 units on Amazon, by hand
    assert D(shown["platform_contribution_per_unit"]) == D("5.50")

    # without finance access the ledger's profit figures are not used: the scenario names what is missing
    denied = client_as("operations").get(URL, query("move_to_own_site", typed)).content.decode()
    error = denied.split('id="scenario-move_to_own_site"')[1].split('class="card scenario-card"')[0]
    assert 'class="msg-error scenario-error"' in error and "platform_contribution_per_unit" in error


def test_saving_a_scenario_keeps_its_assumptions_and_result(shop, client_as, role_users):
    client = client_as("operations")
    html = client.get(URL, query("dropship_vs_stock", DROPSHIP)).content.decode()
    assert set(sources(html, "dropship_vs_stock").values()) <= {"user", "default"}
    assert 'id="scenario-save-dropship_vs_stock"' in html

    response = client.post("/strategy/scenarios/save/", {**query("dropship_vs_stock", DROPSHIP),
                                                        "name": "Dropship test"})
    saved = Scenario.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}#saved-{saved.pk}"
    assert (saved.name, saved.kind, saved.created_by) == ("Dropship test", "dropship_vs_stock",
                                                          role_users["operations"])
    assert saved.assumptions == DROPSHIP
    assert saved.result == scenarios.run_scenario("dropship_vs_stock", DROPSHIP).to_dict()

    page = client.get(URL).content.decode()
    listed = page.split(f'id="saved-{saved.pk}"')[1].split("</li>")[0]
    assert "Dropship test" in listed
    assert dict(re.findall(r'data-figure="([^"]+)" data-value="([^"]*)"', listed)) == {
        k: (f["value"] or "") for k, f in saved.result["figures"].items()}


def test_a_scenario_without_a_name_or_with_a_bad_value_is_not_saved(shop, client_as):
    client = client_as("operations")
    response = client.post("/strategy/scenarios/save/", {**query("dropship_vs_stock", DROPSHIP), "name": " "},
                           follow=True)
    assert "The scenario was not saved" in response.content.decode()
    bad = {**DROPSHIP, "unit_price": "-3"}
    response = client.post("/strategy/scenarios/save/", {**query("dropship_vs_stock", bad), "name": "bad"},
                           follow=True)
    assert "unit_price" in response.content.decode()
    assert not Scenario.objects.exists()
    assert client.post("/strategy/scenarios/save/", {"kind": "nope", "name": "x"}).status_code == 400


def test_channel_conflicts_are_listed(shop, client_as):
    html = client_as("viewer").get(URL).content.decode()
    section = html.split('id="hybrid-conflicts"')[1]
    assert 'data-conflict="price_undercut" data-sku="CABLE-1"' in section
    assert "AMZ-US" in section and "000 §5.3" in section


def test_a_scenario_that_cannot_run_yet_still_shows_what_the_ledger_knows(shop, client_as):
    html = client_as("operations").get(URL, query("dropship_vs_stock", {"sku": "CABLE-1"})).content.decode()
    card = html.split('id="scenario-dropship_vs_stock"')[1].split('class="card scenario-card"')[0]
    assert 'class="msg-error scenario-error"' in card  # the dropship price is nobody's to guess
    assert re.search(r'placeholder="2.00 USD"[^>]*id="id_dropship_vs_stock-purchase_cost"', card)  # product cost
    assert re.search(r'placeholder="0"[^>]*id="id_dropship_vs_stock-supplier_terms_days"', card)  # a default
