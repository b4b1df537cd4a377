"""Products and listings: ``/products`` and ``/listings``.

Creation goes through :mod:`chuhai.catalog.services` (the same rules as the CLI and the import); the API only
translates JSON to those calls and their results and failures back to JSON.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from chuhai.catalog.models import Listing, ListingStatus, Product
from chuhai.catalog.services import create_listing, create_product, update_product
from chuhai.channels.models import ChannelAccount

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import (
    AUTH_ERRORS,
    WRITE_ERRORS,
    CountryCode,
    CurrencyCode,
    DecimalText,
    ErrorOut,
    Page,
    PageParams,
    paginate,
    stored_money,
)

router = Router(tags=["catalogue"])

SKU = Field(..., min_length=1, max_length=64, examples=["PB-10K-BLK"])


# -- products ---------------------------------------------------------------------------------------------------
class ProductOut(Schema):
    sku: str
    name_en: str
    name_zh: str
    brand: str
    category: str
    is_bundle: bool
    purchase_cost: str | None = Field(description="Decimal string, in cost_currency.")
    cost_currency: str
    weight_g: int | None
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    hs_code: str
    country_of_origin: str
    has_battery: bool
    is_hazmat: bool
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_purchase_cost(obj: Product) -> str | None:
        return stored_money(obj.purchase_cost, obj.cost_currency)


class _ProductFields(Schema):
    name_en: str | None = Field(None, max_length=300)
    name_zh: str | None = Field(None, max_length=300)
    brand: str | None = Field(None, max_length=100)
    category: str | None = Field(None, max_length=100)
    purchase_cost: DecimalText | None = Field(None, description="Unit purchase cost; needs cost_currency.")
    cost_currency: CurrencyCode | None = None
    weight_g: int | None = Field(None, ge=0)
    length_mm: int | None = Field(None, ge=0)
    width_mm: int | None = Field(None, ge=0)
    height_mm: int | None = Field(None, ge=0)
    hs_code: str | None = Field(None, max_length=12)
    country_of_origin: CountryCode | None = None
    has_battery: bool | None = None
    is_hazmat: bool | None = None
    is_active: bool | None = None


class ProductIn(_ProductFields):
    sku: str = SKU

    cost_currency: CurrencyCode | None = Field(None, validate_default=True)

    @field_validator("cost_currency")
    @classmethod
    def _cost_needs_currency(cls, value, info):
        if value is None and info.data.get("purchase_cost") is not None:
            raise ValueError("required when purchase_cost is given")
        return value


class ProductPatch(_ProductFields):
    """Only the fields sent change; ``null`` clears a text or number field. The SKU itself cannot change."""


#: Text columns store "" for "none"; a JSON null on them means that.
_TEXT_FIELDS = {"name_en", "name_zh", "brand", "category", "cost_currency", "hs_code", "country_of_origin"}


class ProductFilters(Schema):
    search: str | None = Field(None, description="Part of the SKU, a name or the brand.")
    category: str | None = None
    active: bool | None = None


@router.get("/products", response={200: Page[ProductOut], **AUTH_ERRORS}, auth=needs("catalog.view_product"))
def list_products(request, filters: Query[ProductFilters], page: Query[PageParams]):
    """Products by SKU. Requires ``catalog.view_product``."""
    qs = Product.objects.order_by("sku")
    if filters.search:
        term = filters.search.strip()
        qs = qs.filter(Q(sku__icontains=term) | Q(name_en__icontains=term) | Q(name_zh__icontains=term)
                       | Q(brand__icontains=term))
    if filters.category:
        qs = qs.filter(category__iexact=filters.category.strip())
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return paginate(qs, page)


@router.get("/products/{sku}", response={200: ProductOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs("catalog.view_product"))
def get_product(request, sku: str):
    """One product. Requires ``catalog.view_product``."""
    return get_or_404(Product.objects, f"No product with SKU {sku!r}.", sku=sku)


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS}, auth=needs("catalog.add_product"))
def add_product(request, payload: ProductIn):
    """Create a product. Requires ``catalog.add_product``; a SKU that exists already is a 409."""
    data = payload.model_dump(exclude_none=True)
    sku = data.pop("sku")
    with service_errors(f"A product with SKU {sku!r} already exists."):
        product = create_product(
            sku,
            name_en=data.pop("name_en", ""),
            name_zh=data.pop("name_zh", ""),
            cost=data.pop("purchase_cost", None),
            cost_currency=data.pop("cost_currency", None),
            weight_g=data.pop("weight_g", None),
            **data,
        )
    return Status(201, product)


@router.patch("/products/{sku}", response={200: ProductOut, 404: ErrorOut, **WRITE_ERRORS},
              auth=needs("catalog.change_product"))
def change_product(request, sku: str, payload: ProductPatch):
    """Change some fields of a product. Requires ``catalog.change_product``."""
    product = get_or_404(Product.objects, f"No product with SKU {sku!r}.", sku=sku)
    changes = {
        field: ("" if value is None and field in _TEXT_FIELDS else value)
        for field, value in payload.model_dump(exclude_unset=True).items()
    }
    with service_errors(f"A product with SKU {sku!r} already exists."):
        update_product(product, changes)
    return product


# -- listings ---------------------------------------------------------------------------------------------------
class ListingOut(Schema):
    id: int
    account: str = Field(description="Channel account code.")
    sku: str = Field(description="Our SKU.")
    channel_sku: str
    external_id: str = Field(description="ASIN / item id.")
    marketplace: str
    currency: str
    price: str | None = Field(description="Decimal string, in currency.")
    status: ListingStatus
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_account(obj: Listing) -> str:
        return obj.account.code

    @staticmethod
    def resolve_sku(obj: Listing) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_price(obj: Listing) -> str | None:
        return stored_money(obj.price, obj.currency)


class ListingIn(Schema):
    account: str = Field(..., description="Channel account code.", examples=["AMZ-US"])
    sku: str = Field(..., description="Our SKU.")
    channel_sku: str = Field(..., min_length=1, max_length=100)
    external_id: str = Field("", max_length=64, description="ASIN / item id.")
    price: DecimalText | None = None
    currency: CurrencyCode | None = Field(None, description="Defaults to the account's currency.")
    marketplace: CountryCode | None = Field(None, description="Defaults to the account's marketplace.")


class ListingFilters(Schema):
    account: str | None = Field(None, description="Channel account code.")
    sku: str | None = Field(None, description="Our SKU.")
    status: ListingStatus | None = None
    marketplace: CountryCode | None = None


@router.get("/listings", response={200: Page[ListingOut], **AUTH_ERRORS}, auth=needs("catalog.view_listing"))
def list_listings(request, filters: Query[ListingFilters], page: Query[PageParams]):
    """Listings by account and channel SKU. Requires ``catalog.view_listing``."""
    qs = Listing.objects.select_related("account", "product").order_by("account__code", "channel_sku")
    if filters.account:
        qs = qs.filter(account__code=filters.account)
    if filters.sku:
        qs = qs.filter(product__sku=filters.sku)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.marketplace:
        qs = qs.filter(marketplace=filters.marketplace)
    return paginate(qs, page)


@router.post("/listings", response={201: ListingOut, **WRITE_ERRORS}, auth=needs("catalog.add_listing"))
def add_listing(request, payload: ListingIn):
    """List one of our products on a channel account. Requires ``catalog.add_listing``; the same channel SKU
    twice on one account is a 409."""
    account = ChannelAccount.objects.filter(code=payload.account).first()
    product = Product.objects.filter(sku=payload.sku).first()
    if account is None:
        return Status(422, {"detail": f"account: no channel account with code {payload.account!r}."})
    if product is None:
        return Status(422, {"detail": f"sku: no product with SKU {payload.sku!r}."})
    with service_errors(f"Account {account.code!r} already has a listing with channel SKU {payload.channel_sku!r}."):
        listing = create_listing(account, product, payload.channel_sku, price=payload.price,
                                 external_id=payload.external_id, currency=payload.currency,
                                 marketplace=payload.marketplace)
    return Status(201, listing)
