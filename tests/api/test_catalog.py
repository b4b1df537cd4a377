"""Products and listings through the API: roles, validation naming the field, duplicates as 409."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chuhai.catalog.models import Listing, Product
from chuhai.catalog.services import create_listing, create_product
from chuhai.channels.services import create_account

pytestmark = pytest.mark.django_db


def product_body(**overrides):
    body = {"sku": "PB-10K", "name_en": "Power bank 10000 mAh", "name_zh": "充电宝 10000毫安",
            "purchase_cost": "48.50", "cost_currency": "CNY", "weight_g": 210, "country_of_origin": "CN",
            "has_battery": True}
    return {**body, **overrides}


def test_operations_creates_a_product(api_as):
    response = api_as("operations").post("/products", product_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sku"] == "PB-10K"
    assert body["purchase_cost"] == "48.50" and body["cost_currency"] == "CNY"
    product = Product.objects.get(sku="PB-10K")
    assert product.purchase_cost == Decimal("48.50")
    assert product.has_battery and product.weight_g == 210
    assert product.history.count() == 1


def test_finance_cannot_create_products(api_as):
    response = api_as("finance").post("/products", product_body())
    assert response.status_code == 403
    assert not Product.objects.exists()


def test_duplicate_sku_is_409_and_changes_nothing(api_as):
    create_product("PB-10K", name_en="Original", cost=Decimal("40"), cost_currency="CNY")
    response = api_as("operations").post("/products", product_body(name_en="Impostor"))
    assert response.status_code == 409
    assert "PB-10K" in response.json()["detail"]
    assert Product.objects.count() == 1
    product = Product.objects.get(sku="PB-10K")
    assert product.name_en == "Original" and product.purchase_cost == Decimal("40")


def test_invalid_currency_is_422_naming_the_field(api_as):
    response = api_as("operations").post("/products", product_body(cost_currency="XYZ"))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("cost_currency:")
    assert "XYZ" in body["detail"]
    assert body["errors"][0]["field"] == "cost_currency"
    assert not Product.objects.exists()


def test_cost_without_currency_is_422(api_as):
    body = product_body()
    del body["cost_currency"]
    response = api_as("operations").post("/products", body)
    assert response.status_code == 422
    assert "currency" in response.json()["detail"]
    assert not Product.objects.exists()


def test_money_as_a_json_float_is_refused(api_as):
    response = api_as("operations").post("/products", product_body(purchase_cost=48.5))
    assert response.status_code == 422
    assert response.json()["detail"].startswith("purchase_cost:")


def test_country_alias_is_normalised(api_as):
    response = api_as("operations").post("/products", product_body(country_of_origin="uk"))
    assert response.status_code == 201, response.content
    assert Product.objects.get(sku="PB-10K").country_of_origin == "GB"


def test_get_product_and_404(api_as):
    create_product("CBL-1M", name_en="USB-C cable", cost=Decimal("0.0375"), cost_currency="USD")
    viewer = api_as("viewer")
    body = viewer.get("/products/CBL-1M").json()
    assert body["name_en"] == "USB-C cable"
    assert body["purchase_cost"] == "0.0375"  # sub-cent unit costs are not rounded away
    missing = viewer.get("/products/NOPE")
    assert missing.status_code == 404
    assert "NOPE" in missing.json()["detail"]


def test_list_products_filters_and_pages(api_as):
    create_product("CASE-IP15", name_en="iPhone 15 case", category="cases")
    create_product("CASE-S24", name_en="Galaxy S24 case", category="cases", is_active=False)
    create_product("PB-20K", name_en="Power bank 20000", category="power", brand="Voltix")
    viewer = api_as("viewer")
    everything = viewer.get("/products").json()
    assert everything["count"] == 3
    assert [p["sku"] for p in everything["items"]] == ["CASE-IP15", "CASE-S24", "PB-20K"]
    assert [p["sku"] for p in viewer.get("/products", category="cases", active="true").json()["items"]] == [
        "CASE-IP15"]
    assert [p["sku"] for p in viewer.get("/products", search="voltix").json()["items"]] == ["PB-20K"]
    page = viewer.get("/products", limit=2, offset=2).json()
    assert page["count"] == 3 and [p["sku"] for p in page["items"]] == ["PB-20K"]
    assert viewer.get("/products", limit=0).status_code == 422


def test_patch_changes_only_the_fields_sent(api_as):
    create_product("PB-10K", name_en="Power bank", name_zh="充电宝", cost=Decimal("48.5"), cost_currency="CNY")
    response = api_as("operations").patch("/products/PB-10K", {"name_en": "Power bank 10k", "weight_g": 199})
    assert response.status_code == 200, response.content
    product = Product.objects.get(sku="PB-10K")
    assert (product.name_en, product.weight_g, product.name_zh) == ("Power bank 10k", 199, "充电宝")
    assert product.purchase_cost == Decimal("48.5")
    assert product.history.count() == 2


def test_patch_rejects_invalid_values_and_keeps_the_row(api_as):
    create_product("PB-10K", name_en="Power bank")
    operations = api_as("operations")
    bad = operations.patch("/products/PB-10K", {"weight_g": -5})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("weight_g:")
    no_currency = operations.patch("/products/PB-10K", {"purchase_cost": "12.00"})
    assert no_currency.status_code == 422
    product = Product.objects.get(sku="PB-10K")
    assert product.weight_g is None and product.purchase_cost is None


def test_patch_needs_change_permission(api_as):
    create_product("PB-10K", name_en="Power bank")
    assert api_as("viewer").patch("/products/PB-10K", {"name_en": "x"}).status_code == 403
    assert api_as("finance").patch("/products/PB-10K", {"name_en": "x"}).status_code == 403
    assert api_as("purchasing").patch("/products/PB-10K", {"name_en": "y"}).status_code == 200
    assert Product.objects.get(sku="PB-10K").name_en == "y"


@pytest.fixture
def amazon_us(db):
    return create_account("AMZ-US", "amazon", "US")


def test_create_listing_defaults_to_account_market_and_currency(api_as, amazon_us):
    create_product("PB-10K", name_en="Power bank")
    response = api_as("operations").post("/listings", {"account": "AMZ-US", "sku": "PB-10K",
                                                       "channel_sku": "VX-PB10K", "price": "29.99",
                                                       "external_id": "B0TEST0001"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["account"], body["sku"], body["marketplace"], body["currency"], body["price"]) == (
        "AMZ-US", "PB-10K", "US", "USD", "29.99")
    assert Listing.objects.get().external_id == "B0TEST0001"


def test_duplicate_channel_sku_on_one_account_is_409(api_as, amazon_us):
    product = create_product("PB-10K", name_en="Power bank")
    create_listing(amazon_us, product, "VX-PB10K", price=Decimal("29.99"))
    response = api_as("operations").post("/listings", {"account": "AMZ-US", "sku": "PB-10K",
                                                       "channel_sku": "VX-PB10K", "price": "19.99"})
    assert response.status_code == 409
    assert "VX-PB10K" in response.json()["detail"]
    assert Listing.objects.get().price == Decimal("29.99")


def test_listing_for_unknown_account_or_sku_names_the_field(api_as, amazon_us):
    create_product("PB-10K", name_en="Power bank")
    operations = api_as("operations")
    no_account = operations.post("/listings", {"account": "NOPE", "sku": "PB-10K", "channel_sku": "A"})
    assert no_account.status_code == 422 and no_account.json()["detail"].startswith("account:")
    no_sku = operations.post("/listings", {"account": "AMZ-US", "sku": "NOPE", "channel_sku": "A"})
    assert no_sku.status_code == 422 and no_sku.json()["detail"].startswith("sku:")
    assert not Listing.objects.exists()


def test_list_listings_filters(api_as, amazon_us):
    ebay = create_account("EBAY-US", "ebay", "US")
    cable = create_product("CBL-1M", name_en="Cable")
    bank = create_product("PB-10K", name_en="Power bank")
    create_listing(amazon_us, cable, "A-CBL")
    create_listing(amazon_us, bank, "A-PB")
    create_listing(ebay, bank, "E-PB")
    viewer = api_as("viewer")
    assert [item["channel_sku"] for item in viewer.get("/listings", account="AMZ-US").json()["items"]] == [
        "A-CBL", "A-PB"]
    assert [item["account"] for item in viewer.get("/listings", sku="PB-10K").json()["items"]] == [
        "AMZ-US", "EBAY-US"]
    assert viewer.get("/listings", status="closed").json()["count"] == 0
    assert viewer.get("/listings", status="bogus").status_code == 422
