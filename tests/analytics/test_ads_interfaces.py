"""Advertising through the page (sortable, exportable, charted), the API and ``chuhai report ads``; finance only."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from chuhai.cli.main import main

from ..api.conftest import ApiClient, api_as  # noqa: F401 - fixture
from ..cli.support import Run
from ..finance.test_estimates import make_order, make_product
from .test_ads import DAY, ad, us  # noqa: F401 - fixture

D = Decimal
NEXT = DAY + dt.timedelta(days=1)


@pytest.fixture
def ads(us):  # noqa: F811
    """Day 1: LK-CC100-1M spend 25.00, attributed 100.00, total sales 250.00; day 2: MUG spend 10.00, sales 20.00."""
    cable, mug = make_product(), make_product("MUG")
    ad(us, "Exact", "LK-CC100-1M", "15.00", "60.00", impressions=1000, clicks=20, orders=3)
    ad(us, "Auto", "LK-CC100-1M", "10.00", "40.00", impressions=500, clicks=10, orders=2)
    ad(us, "Auto", "MUG", "10.00", "20.00", day=NEXT)
    make_order(us, "111-1", DAY, [(cable, 10, "25.00")])
    make_order(us, "111-2", NEXT, [(mug, 1, "40.00")])
    return us


@pytest.fixture
def chuhai(capsys):
    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_page_sorts_exports_and_charts(client_as, ads):
    client = client_as("finance")
    page = client.get("/ads/")
    rows = page.context["table"].page.object_list
    assert [r.sku for r in rows] == ["LK-CC100-1M", "MUG"]
    by_acos = client.get("/ads/", {"sort": "-acos"}).context["table"].page.object_list
    # ACOS: cable 25.00 / 100.00 = 25 %; mug 10.00 / 20.00 = 50 % → mug first, descending
    assert [r.sku for r in by_acos] == ["MUG", "LK-CC100-1M"]
    chart = page.context["chart"]
    assert chart["xAxis"]["data"] == [DAY.isoformat(), NEXT.isoformat()]
    series = {s["id"]: s["data"] for s in chart["series"]}
    assert series == {"spend": [25.0, 10.0], "sales": [100.0, 20.0], "acos": [25.0, 50.0]}
    summary = page.context["summary"]
    # whole period: spend 35.00 / attributed 120.00 = 29.17 %; total sales 250.00 + 40.00 = 290.00
    assert summary["spend"] == "35.00 USD" and summary["total_sales"] == "290.00 USD"
    csv = client.get("/ads/", {"by": "campaign", "export": "csv"}).content.decode("utf-8-sig")
    assert "Exact" in csv and "Auto" in csv and "25.00" in csv
    assert client.get("/ads/", {"export": "xlsx"}).content[:2] == b"PK"
    fragment = client.get("/ads/", {"sort": "spend"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b"ads-table" in fragment.content


@pytest.mark.parametrize(("role", "status"), [("finance", 200), ("operations", 403), ("viewer", 403)])
def test_roles(client_as, api_as, role, status, us):  # noqa: F811
    assert client_as(role).get("/ads/").status_code == status
    assert api_as(role).get("/reports/ads").status_code == status


def test_api_and_cli(api_as, chuhai, ads):  # noqa: F811
    rows = api_as("finance").get("/reports/ads", by="sku").json()
    cable = next(r for r in rows if r["sku"] == "LK-CC100-1M")
    assert (cable["spend"], cable["sales"], cable["total_sales"]) == ("25.00", "100.00", "250.00")
    assert (cable["acos"], cable["tacos"], cable["roas"]) == ("25.00", "10.00", "4.00")
    assert ApiClient().get("/reports/ads").status_code == 401

    run = chuhai("report", "ads", "--by", "day", "--format", "json")
    assert run.code == 0, run.err
    days = json.loads(run.out)
    assert [(d["day"], d["spend"], d["acos"]) for d in days] == [(DAY.isoformat(), "25.00", "25.00"),
                                                                  (NEXT.isoformat(), "10.00", "50.00")]
    table = chuhai("report", "ads", "--from", NEXT.isoformat())
    assert "MUG" in table.out and "LK-CC100-1M" not in table.out
    assert chuhai("report", "ads", "--currency", "XXX").code == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_ads_page_draws_the_chart(logged_in_page, live_server, ads):
    page = logged_in_page("finance")
    page.click(".sidebar .nav a:has-text('Advertising')")
    page.wait_for_selector("#ads-chart[data-chart-ready='1']")
    option = page.evaluate("sel => echarts.getInstanceByDom(document.querySelector(sel)).getOption()", "#ads-chart")
    assert {s["id"]: s["data"] for s in option["series"]}["acos"] == [25.0, 50.0]
    expect(page.locator("#ads-acos")).to_have_text("29.17 %")  # 35.00 / 120.00 = 29.1666… %
    page.click("#ads-table th a[data-sort=spend]")
    expect(page.locator("#ads-table tbody tr").first).to_contain_text("MUG")  # 10.00 before 25.00
    page.click("#ads-table th a[data-sort=spend]")
    expect(page.locator("#ads-table tbody tr").first).to_contain_text("LK-CC100-1M")
