"""The channel-stock page: what each listing should show, filters, table exports, and the upload-file download that
records the push (and needs its permission)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from chuhai.inventory import stock
from chuhai.inventory.channel_rules import ListingStockPush

from .test_ats import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return build_shop()


def test_page_lists_listings_with_what_to_show(shop, client_as):
    response = client_as("viewer").get("/channel-stock/")
    assert response.status_code == 200
    table = response.context["table"]
    rows = {row[1].text: [cell.text for cell in row] for row in table.rows}
    assert rows["MUG-A"][5:7] == ["35", "35"]
    assert rows["GIFT-A"][6] == "7"
    assert rows["MUG-FBA"][9] == "Amazon-fulfilled"
    assert b"ats-download" not in response.content  # no account chosen, and viewers may not push anyway


def test_filters_account_and_changed(shop, client_as):
    client = client_as("operations")
    ListingStockPush.objects.create(listing=shop["MUG-S"], quantity=35)
    response = client.get("/channel-stock/", {"account": "SHOP", "changed": "yes"})
    assert [row[1].text for row in response.context["table"].rows] == ["LID-S"]
    stock.adjust(shop["mug"], shop["sz"], -5, "broken")
    response = client.get("/channel-stock/", {"account": "SHOP", "changed": "yes"})
    assert [row[1].text for row in response.context["table"].rows] == ["LID-S", "MUG-S"]
    assert b'id="ats-download"' in response.content and b"Shopify location" in response.content


def test_table_export_xlsx(shop, client_as):
    response = client_as("viewer").get("/channel-stock/", {"export": "xlsx", "account": "AMZ-US"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:2] == ("Account", "Channel SKU")
    assert {row[1]: row[6] for row in values[1:]} == {"GIFT-A": 7, "MUG-A": 35, "MUG-FBA": 0}


def test_download_amazon_file_records_the_push(shop, client_as):
    client = client_as("operations")
    response = client.post("/channel-stock/export/", {"account": "AMZ-US", "format": "amazon"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="AMZ-US-inventory-')
    assert response.content.decode().splitlines()[1:] == ["GIFT-A\t\t\t\t7\t\t", "MUG-A\t\t\t\t35\t\t"]
    pushed = ListingStockPush.objects.get(listing=shop["MUG-A"])
    assert pushed.quantity == 35 and pushed.method == "amazon-file"
    page = client.get("/channel-stock/", {"account": "AMZ-US", "changed": "yes"})
    assert page.context["table"].rows == []


def test_download_refusals(shop, client_as):
    assert client_as("viewer").post("/channel-stock/export/", {"account": "AMZ-US", "format": "amazon"}
                                    ).status_code == 403
    client = client_as("operations")
    assert client.get("/channel-stock/export/").status_code == 405
    response = client.post("/channel-stock/export/", {"account": "SHOP", "format": "amazon"}, follow=True)
    assert "the Amazon file is for Amazon accounts" in response.content.decode()
    assert not ListingStockPush.objects.exists()
