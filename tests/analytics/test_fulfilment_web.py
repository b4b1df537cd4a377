"""The account-health pages: figures against targets, the orders behind each breach with their exports, the
shipping KPIs with the transit chart, and the defect form (with its own permission)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from chuhai.orders.models import OrderDefect

from .fulfilment_builders import breaching_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return breaching_account()


def test_list_colours_each_figure_against_its_target(client_as, shop):
    response = client_as("viewer").get("/account-health/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-account="SHOP-1"' not in html  # not an Amazon account
    row = html[html.index('data-account="AMZ-US"'):]
    cells = {kpi: row[row.index(f'data-kpi="{kpi}"'):][:200] for kpi in
             ("order_defect_rate", "cancel_rate", "late_shipment_rate", "valid_tracking_rate")}
    assert 'data-status="breach"' in cells["order_defect_rate"] and "25.00 %" in cells["order_defect_rate"]
    assert 'data-status="pass"' in cells["cancel_rate"] and "0.00 %" in cells["cancel_rate"]
    assert 'data-status="breach"' in cells["late_shipment_rate"] and "33.33 %" in cells["late_shipment_rate"]
    assert 'data-status="pass"' in cells["valid_tracking_rate"] and "100.00 %" in cells["valid_tracking_rate"]


def test_detail_lists_the_orders_behind_each_breach(client_as, shop):
    response = client_as("viewer").get("/account-health/AMZ-US/")
    assert response.status_code == 200
    figures = {f["id"]: f for f in response.context["figures"]}
    assert figures["order_defect_rate"]["status"] == "breach"
    defects = figures["order_defect_rate"]["table"]
    assert [row[1].text for row in defects.rows] == ["111-0000003-0000003"]
    assert defects.rows[0][1].url == f"/orders/{shop['defective'].pk}/"
    assert "A-to-z Guarantee claim" in defects.rows[0][-1].text
    late = figures["late_shipment_rate"]["table"]
    assert [row[1].text for row in late.rows] == ["111-0000002-0000002"]
    assert "table" not in figures["cancel_rate"] and "table" not in figures["valid_tracking_rate"]
    html = response.content.decode()
    assert 'id="breach-order_defect_rate"' in html and 'id="breach-cancel_rate"' not in html
    assert "/account-health/AMZ-US/late_shipment_rate/?export=csv" in html


def test_detail_draws_transit_days_by_carrier_and_route(client_as, shop):
    response = client_as("viewer").get("/account-health/AMZ-US/")
    html = response.content.decode()
    option = json.loads(html.split('id="chart-transit-days-option" type="application/json">')[1].split("</script>")[0])
    assert option["yAxis"]["data"] == ["UPS CN → US"]
    assert [s["data"] for s in option["series"]] == [[4.0], [4.0]]
    shipping = {f["id"]: f for f in response.context["shipping_figures"]}
    assert shipping["on_time_delivery_rate"]["value"] == "100.00 %"
    assert shipping["late_shipment_rate"]["status"] == "breach"


def test_breach_rows_export_csv_and_xlsx(client_as, shop):
    client = client_as("viewer")
    response = client.get("/account-health/AMZ-US/late_shipment_rate/?export=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Purchased at", "Order id"] and "Ship by" in rows[0]
    assert [r[1] for r in rows[1:]] == ["111-0000002-0000002"]
    response = client.get("/account-health/AMZ-US/order_defect_rate/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][1] == "111-0000003-0000003" and values[1][-1] == "A-to-z Guarantee claim"
    page = client.get("/account-health/AMZ-US/late_shipment_rate/")
    assert page.status_code == 200 and "111-0000002-0000002" in page.content.decode()


def test_unknown_or_non_amazon_accounts_and_kpis_are_404(client_as, shop):
    client = client_as("viewer")
    assert client.get("/account-health/SHOP-1/").status_code == 404
    assert client.get("/account-health/NOPE/").status_code == 404
    assert client.get("/account-health/AMZ-US/buy_box/").status_code == 404


def test_reading_needs_the_dashboard_permission(client, shop):
    from chuhai.core.users import create_user

    nobody = create_user("no_role_user", "viewer", password="pw-123456789")
    nobody.groups.clear()
    client.force_login(nobody)
    assert client.get("/account-health/").status_code == 403
    assert client.get("/account-health/AMZ-US/").status_code == 403


def test_defect_form_records_once_and_needs_its_permission(client_as, shop):
    viewer = client_as("viewer")
    assert viewer.get("/account-health/defects/new/").status_code == 403
    ops = client_as("operations")
    page = ops.get("/account-health/defects/new/?account=AMZ-US&order=111-0000001-0000001")
    assert page.status_code == 200 and "111-0000001-0000001" in page.content.decode()
    opened = shop["now"].date().isoformat()
    data = {"account": "AMZ-US", "order": "111-0000001-0000001", "kind": "negative_feedback", "opened_on": opened,
            "note": "1-star: arrived late"}
    response = ops.post("/account-health/defects/new/", data, follow=True)
    assert response.redirect_chain[-1][0] == "/account-health/AMZ-US/"
    assert "recorded against order 111-0000001-0000001" in response.content.decode()
    assert OrderDefect.objects.filter(order=shop["on_time"], kind="negative_feedback").count() == 1
    again = ops.post("/account-health/defects/new/", data, follow=True)
    assert "nothing changed" in again.content.decode()
    assert OrderDefect.objects.filter(order=shop["on_time"]).count() == 1
    odr = {f["id"]: f for f in again.context["figures"]}["order_defect_rate"]
    assert odr["value"] == "50.00 %"


def test_defect_form_explains_an_unknown_order(client_as, shop):
    response = client_as("operations").post("/account-health/defects/new/", {
        "account": "AMZ-US", "order": "999-nope", "kind": "chargeback", "opened_on": "2026-03-01"})
    assert response.status_code == 200
    assert "No order 999-nope in account AMZ-US." in response.content.decode()
    assert not OrderDefect.objects.filter(kind="chargeback").exists()


def test_navigation_links_the_page(client_as, shop):
    html = client_as("viewer").get("/account-health/").content.decode()
    assert 'href="/account-health/"' in html
