"""The order list's SKU filter and the products (ABC) page's drill-down: a SKU's link lists exactly the documents
the metric layer counted for it, and their lines of that SKU add up to the SKU's net sales.

Data: ml_builders' business (base CNY, Asia/Shanghai; figures in its docstring) plus four AMZ-US documents:

- O8 shipped, Feb 15, ship US: CABLE-1 1 × 10.00 *cancelled* and CHARGER-2 1 × 25.00 live — counted in sales, but
  its only CABLE-1 line is cancelled, so it is not a CABLE-1 document.
- O10 shipped, Feb 16, ship CA: an unmapped line, channel SKU ``AMZ-CABLE-X`` 2 × 5.00 (fx 7.2 → 72.00).
- O11 shipped, Feb 18, ship CA: an unmapped line whose channel SKU is ``CABLE-1`` 1 × 10.00 (fx 7.2 → 72.00): the
  layer's SKU is ``COALESCE(p.sku, m.channel_sku)``, so it is CABLE-1's.
- O12 shipped, Feb 19, ship US: a CHARGER-2 line whose channel SKU reads ``CABLE-1`` 1 × 25.00 — mapped, so it is
  CHARGER-2's, never CABLE-1's.

CABLE-1 documents counted in sales, Jan–Feb: O1 (134.90), O2 (42.40, 1 Feb in Shanghai), O7 (129.60), O11 (72.00)
→ net sales 378.90; O5 (cancelled) and O6 (pending) hold CABLE-1 lines but are not counted.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.utils.http import urlencode

from chuhai.analytics.drilldown import filter_orders
from chuhai.analytics.metric_layer import engine, run
from chuhai.orders.models import Order, OrderLine

from .ml_builders import D, business, make_order, utc

JAN_FEB = {"date_from": "2026-01-01", "date_to": "2026-02-28"}
FEB = {"date_from": "2026-02-01", "date_to": "2026-02-28"}
CABLE_JAN_FEB = {"O1", "O2", "O7", "O11"}


def _unmapped(account, external_id, when, channel_sku, qty, price, *, ship, product=None):
    order, _lines = make_order(account, external_id, when, "7.2", [], ship=ship)
    OrderLine.objects.create(order=order, line_no=1, product=product, channel_sku=channel_sku, quantity=qty,
                             unit_price=D(price), item_status="shipped")
    return order


@pytest.fixture
def shop(transactional_db):
    data = business(with_profit=False)
    us, cable, charger = data["us"], data["cable"], data["charger"]
    make_order(us, "O8", utc(2026, 2, 15), "7.2",
               [(cable, 1, "10.00", {"item_status": "cancelled"}), (charger, 1, "25.00")], ship="US")
    _unmapped(us, "O10", utc(2026, 2, 16), "AMZ-CABLE-X", 2, "5.00", ship="CA")
    _unmapped(us, "O11", utc(2026, 2, 18), "CABLE-1", 1, "10.00", ship="CA")
    _unmapped(us, "O12", utc(2026, 2, 19), "CABLE-1", 1, "25.00", ship="US", product=charger)
    yield data
    engine.close()


def page_ids(client, params: dict | str) -> set[str]:
    """External ids the order list page links to (the order links only: a CSRF token may hold "O5")."""
    response = client.get("/orders/?" + (params if isinstance(params, str) else urlencode(params)))
    assert response.status_code == 200
    return set(re.findall(r'">(O\d+)</a>', response.content.decode()))


def csv_ids(client, query: str) -> set[str]:
    response = client.get(f"/orders/?{query}&export=csv")
    assert response.status_code == 200
    return {r["Order id"] for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def sku_links(client, params: dict) -> dict[str, str]:
    """SKU → the order-list URL of its cell in the products table; checks the chart's drill-down agrees."""
    response = client.get("/analytics/products/", params)
    assert response.status_code == 200
    text = response.content.decode()
    table = text[text.index('id="table-products"'):]
    links = {sku: html.unescape(href) for href, sku in re.findall(
        r'<td[^>]*data-key="sku"><a href="([^"]*)">([^<]*)</a></td>', table)}
    option = json.loads(re.search(r'<script id="chart-pareto-option" type="application/json">(.*?)</script>',
                                  text, re.S).group(1))
    drill = json.loads(re.search(r'<script id="chart-pareto-drill" type="application/json">(.*?)</script>',
                                 text, re.S).group(1))
    assert dict(zip(option["xAxis"]["data"], drill, strict=True)) == links  # same URL, same index as the bars
    return links


def cable_net_sales(external_ids: set[str]) -> Decimal:
    """Σ net sales (goods × fx, base CNY) of the CABLE-1 lines not cancelled of these documents."""
    total = Decimal(0)
    for line in OrderLine.objects.filter(order__external_id__in=external_ids).select_related("order", "product"):
        sku = line.product.sku if line.product_id else line.channel_sku
        if sku == "CABLE-1" and line.item_status != "cancelled":
            total += (line.gross_amount - line.discount) * line.order.fx_rate
    return total.quantize(Decimal("0.01"))


def layer_net_sales(sku: str, date_from: dt.date, date_to: dt.date, filters: dict | None = None) -> Decimal:
    rows = run("net_sales", by="sku", date_from=date_from, date_to=date_to, filters=filters).rows
    return next(r["net_sales"] for r in rows if r["sku"] == sku)


def test_sku_filter_lists_the_documents_with_a_live_line_of_the_sku(shop, client_as):
    client = client_as("viewer")
    assert page_ids(client, {**JAN_FEB, "sku": "CABLE-1", "sales": "yes"}) == CABLE_JAN_FEB
    # without "counted in sales": the cancelled O5 and pending O6 too, never O8 (its CABLE-1 line is cancelled)
    # nor O12 (mapped to CHARGER-2 whatever its channel SKU reads)
    assert page_ids(client, {**JAN_FEB, "sku": "CABLE-1"}) == CABLE_JAN_FEB | {"O5", "O6"}
    assert page_ids(client, {**JAN_FEB, "sku": "CHARGER-2", "sales": "yes"}) == {"O1", "O3", "O4", "O8", "O12"}
    # an unmapped line is found by its channel SKU; a mapped line never by its channel SKU
    assert page_ids(client, {"sku": "AMZ-CABLE-X"}) == {"O10"}
    assert page_ids(client, {"sku": "AMZ-US-CABLE-1"}) == set()
    assert page_ids(client, {"sku": " CABLE-1 ", "marketplace": "sg", "sales": "yes"}) == {"O2", "O7"}
    assert page_ids(client, {"sku": "NOPE"}) == set()
    # the filter is on the page, and the CSV / XLSX exports follow it
    response = client.get("/orders/", {"sku": "CABLE-1"})
    assert 'name="sku"' in response.content.decode()
    assert csv_ids(client, urlencode({**FEB, "sku": "CABLE-1", "sales": "yes"})) == {"O2", "O7", "O11"}
    # the service alone: one row per document, however many matching lines
    assert sorted(filter_orders(Order.objects.all(), sku="CABLE-1", sales="yes")
                  .values_list("external_id", flat=True)) == sorted(CABLE_JAN_FEB)


@pytest.mark.parametrize("params, expected", [
    (JAN_FEB, CABLE_JAN_FEB),
    (FEB, {"O2", "O7", "O11"}),  # O2: 31 Jan 17:30 UTC is 1 Feb in Shanghai
    ({**JAN_FEB, "account": "AMZ-US"}, {"O1", "O11"}),
    ({**JAN_FEB, "marketplace": "SG"}, {"O2", "O7"}),
    ({**JAN_FEB, "ship_country": "CA"}, {"O11"}),
])
def test_products_page_sku_links_list_exactly_the_sku_s_documents(shop, client_as, params, expected):
    client = client_as("viewer")
    links = sku_links(client, params)
    url = links["CABLE-1"]
    assert url == "/orders/?" + urlencode({**params, "sku": "CABLE-1", "sales": "yes"})
    found = page_ids(client, url.split("?", 1)[1])
    assert found == csv_ids(client, url.split("?", 1)[1]) == expected
    # the SKU's net sales on the page are the sum of those documents' CABLE-1 lines
    start, end = dt.date.fromisoformat(params["date_from"]), dt.date.fromisoformat(params["date_to"])
    filters = {k: v for k, v in params.items() if k not in ("date_from", "date_to")}
    assert cable_net_sales(found) == layer_net_sales("CABLE-1", start, end, filters)
    page = client.get("/analytics/products/", {**params, "export": "csv", "table": "products"})
    figures = {r[0]: r[2] for r in csv.reader(io.StringIO(page.content.decode("utf-8-sig")))}
    assert figures["CABLE-1"] == str(cable_net_sales(found))


def test_category_filter_is_passed_on_and_holds_on_the_same_line(shop, client_as):
    """A category-filtered page's SKU link keeps the category: the documents with a live line of that SKU *in* that
    category — not O11, whose CABLE-1 line is unmapped (category '' for the layer) — and their lines add up to
    the SKU's figure on the page."""
    client = client_as("viewer")
    url = sku_links(client, {**JAN_FEB, "category": "cables"})["CABLE-1"]
    assert url == "/orders/?" + urlencode({**JAN_FEB, "category": "cables", "sku": "CABLE-1", "sales": "yes"})
    found = page_ids(client, url.split("?", 1)[1])
    assert found == CABLE_JAN_FEB - {"O11"}
    assert cable_net_sales(found) == Decimal("306.90") == layer_net_sales(
        "CABLE-1", dt.date(2026, 1, 1), dt.date(2026, 2, 28), {"category": "cables"})
    # the category alone, and a SKU with a category it does not have
    assert page_ids(client, {**JAN_FEB, "category": "cables", "sales": "yes"}) == CABLE_JAN_FEB - {"O11"}
    assert page_ids(client, {**JAN_FEB, "category": "chargers", "sku": "CABLE-1"}) == set()
    # O12's CHARGER-2 line reads "CABLE-1" as channel SKU: still a charger, never a cable document
    assert "O12" in page_ids(client, {**JAN_FEB, "category": "chargers"})


def test_cable_net_sales_by_hand_and_unmapped_skus_link(shop, client_as):
    client = client_as("viewer")
    links = sku_links(client, JAN_FEB)
    assert set(links) == {"CABLE-1", "CHARGER-2", "AMZ-CABLE-X"}  # an unmapped channel SKU links too
    assert cable_net_sales(page_ids(client, links["CABLE-1"].split("?", 1)[1])) == Decimal("378.90") == \
        layer_net_sales("CABLE-1", dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert page_ids(client, links["AMZ-CABLE-X"].split("?", 1)[1]) == {"O10"}
    response = client.get("/analytics/products/", {**JAN_FEB, "export": "csv", "table": "products"})
    rows = {r[0]: r[2] for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["CABLE-1"] == "378.90" and rows["AMZ-CABLE-X"] == "72.00"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_click_on_a_pareto_bar_opens_the_sku_s_orders(logged_in_page, live_server, shop):
    page = logged_in_page("viewer")
    page.goto(f"{live_server.url}/analytics/products/?{urlencode(JAN_FEB)}")
    page.wait_for_selector("#chart-pareto[data-drill-ready='1']")
    x, y = page.locator("#chart-pareto").evaluate(
        "el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, ['CABLE-1', 50])")
    page.locator("#chart-pareto canvas").first.click(position={"x": x, "y": y})
    page.wait_for_url("**/orders/?**sku=CABLE-1**")
    assert set(re.findall(r'">(O\d+)</a>', page.content())) == CABLE_JAN_FEB
