"""Products: the list with its filters (htmx fragment), detail, create and edit forms, change history."""

from __future__ import annotations

from decimal import Decimal

from chuhai.catalog.models import Product


def test_create_product_through_the_form(client_as, business):
    client = client_as("purchasing")
    response = client.post("/products/new/", {
        "sku": "PWR-10K", "name_en": "Power bank 10000 mAh", "name_zh": "充电宝 10000mAh", "category": "Power",
        "purchase_cost": "35.80", "cost_currency": "cny", "weight_g": "210", "country_of_origin": "uk",
        "has_battery": "on", "is_active": "on",
    })
    product = Product.objects.get(sku="PWR-10K")
    assert response.status_code == 302
    assert response["Location"] == f"/products/{product.pk}/"
    assert (product.purchase_cost, product.cost_currency, product.country_of_origin) == (Decimal("35.8"), "CNY", "GB")
    assert product.has_battery and product.is_active and not product.is_bundle
    page = client.get(response["Location"]).content.decode()
    assert "PWR-10K" in page and "充电宝 10000mAh" in page
    assert "35.80 CNY" in page
    assert "purchasing_user" in page  # the change history names who created it


def test_invalid_product_shows_errors_and_creates_nothing(client_as, business):
    client = client_as("operations")
    before = Product.objects.count()
    duplicate = client.post("/products/new/", {"sku": "CHG-65W", "country_of_origin": "CN"})
    assert duplicate.status_code == 200
    assert "already exists" in duplicate.content.decode()
    no_currency = client.post("/products/new/", {"sku": "NEW-1", "purchase_cost": "3", "country_of_origin": "CN"})
    assert "A purchase cost needs its currency." in no_currency.content.decode()
    bad_currency = client.post("/products/new/", {"sku": "NEW-2", "purchase_cost": "3", "cost_currency": "XYZ",
                                                  "country_of_origin": "CN"})
    assert "XYZ is not an ISO 4217 currency code" in bad_currency.content.decode()
    negative = client.post("/products/new/", {"sku": "NEW-3", "purchase_cost": "-1", "cost_currency": "CNY",
                                              "country_of_origin": "CN"})
    assert negative.status_code == 200 and 'class="errorlist' in negative.content.decode()
    assert Product.objects.count() == before
    assert b'value="NEW-2"' in bad_currency.content  # what was typed is kept for correction


def test_edit_product_records_who_changed_what(client_as, business):
    cable = business["cable"]
    client = client_as("operations")
    response = client.post(f"/products/{cable.pk}/edit/", {
        "sku": cable.sku, "name_en": "USB-C cable 1 m (braided)", "name_zh": cable.name_zh, "category": "Cables",
        "purchase_cost": "4.60", "cost_currency": "CNY", "country_of_origin": "CN", "is_active": "on",
    })
    assert response.status_code == 302
    cable.refresh_from_db()
    assert cable.name_en == "USB-C cable 1 m (braided)" and cable.purchase_cost == Decimal("4.6")
    page = client.get(f"/products/{cable.pk}/").content.decode()
    history = page[page.index('id="change-history"'):]
    assert "operations_user" in history
    assert "USB-C cable 1 m (braided)" in history and "USB-C cable 1 m" in history
    assert "<span class=\"muted\">4.2</span> → 4.6" in history


def test_detail_shows_components_and_listings(client_as, business):
    kit, cable = business["kit"], business["cable"]
    page = client_as("viewer").get(f"/products/{kit.pk}/").content.decode()
    components = page[page.index('id="bundle-components"'):page.index('id="product-listings"')]
    assert "CAB-USB-C-1M" in components and "CHG-65W" in components
    cable_page = client_as("viewer").get(f"/products/{cable.pk}/").content.decode()
    listings = cable_page[cable_page.index('id="product-listings"'):]
    assert "CAB-1M-US" in listings and "B0CABLE001" in listings and "9.99 USD" in listings
    assert "KIT-TRAVEL" in cable_page  # the bundles it is part of
    assert "Edit" not in cable_page.split('class="page-actions"')[1].split("</div>")[0]  # viewer: no edit button


def test_list_filters_and_htmx_fragment(client_as, business):
    client = client_as("viewer")
    full = client.get("/products/", {"q": "usb"}).content.decode()
    assert "<html" in full and "CAB-USB-C-1M" in full and "CHG-65W" not in full
    fragment = client.get("/products/", {"category": "Chargers"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and "CHG-65W" in html and "CAB-USB-C-1M" not in html
    assert "HX-Request" in fragment["Vary"]
    bundles = client.get("/products/", {"bundle": "yes"}).content.decode()
    assert "KIT-TRAVEL" in bundles and "CHG-65W" not in bundles
    Product.objects.filter(sku="CHG-65W").update(is_active=False)
    inactive = client.get("/products/", {"active": "no"}).content.decode()
    assert "CHG-65W" in inactive and "CAB-USB-C-1M" not in inactive


def test_list_paginates_fifty_per_page(client_as, business):
    Product.objects.bulk_create([Product(sku=f"BULK-{i:03d}", country_of_origin="CN") for i in range(120)])
    client = client_as("viewer")
    first = client.get("/products/", {"q": "BULK"}).content.decode()
    assert "BULK-000" in first and "BULK-049" in first and "BULK-050" not in first
    assert "Page 1 of 3" in first
    last = client.get("/products/", {"q": "BULK", "page": "3"}).content.decode()
    assert "BULK-119" in last and "BULK-099" not in last
    assert "?q=BULK&amp;page=2" in last  # pagination keeps the filter
