"""Orders, read only: ``/orders`` and ``/orders/{account}/{external_id}`` (ingestion comes with the orders issue).

Amounts are in the order's currency; ``order_total_base`` is the order total in the company's base currency at
the rate stored on the order at its purchase date (``order_total × fx_rate``, rounded once, here). The buyer's
region, city, postal code and reference are personal data and only sent to users holding
``orders.view_order_customer``; the others get ``null``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ninja import Field, Query, Router, Schema

from chuhai.core.models import CompanySettings
from chuhai.orders.models import FulfilmentChannel, Order, OrderLine, OrderStatus

from .auth import needs
from .errors import get_or_404
from .schemas import (
    AUTH_ERRORS,
    CountryCode,
    ErrorOut,
    Page,
    PageParams,
    money,
    paginate,
    plain,
    stored_money,
)

router = Router(tags=["orders"])

CUSTOMER_PERM = "orders.view_order_customer"
CUSTOMER_FIELDS = ("customer_ref", "ship_region", "ship_city", "ship_postal")


def _may_see_customer(context) -> bool:
    """Whether the requesting user may see buyers' details (Django caches permissions on the user object)."""
    user = getattr((context or {}).get("request"), "auth", None)
    return user is not None and user.has_perm(CUSTOMER_PERM)


def _customer_resolver(field: str):
    def resolve(obj: Order, context) -> str | None:
        return getattr(obj, field) if _may_see_customer(context) else None

    return staticmethod(resolve)


class OrderLineOut(Schema):
    line_no: int
    sku: str | None = Field(description="Our SKU; null while the channel SKU is not mapped to a product.")
    channel_sku: str
    quantity: int
    unit_price: str
    item_tax: str
    shipping: str
    shipping_tax: str
    discount: str
    item_amount: str = Field(description="line amount (unit_price × quantity as reported) − discount, in the order currency.")

    @staticmethod
    def resolve_sku(obj: OrderLine) -> str | None:
        return obj.product.sku if obj.product_id else None

    @staticmethod
    def resolve_unit_price(obj: OrderLine) -> str:
        return stored_money(obj.unit_price, obj.order.currency)

    @staticmethod
    def resolve_item_tax(obj: OrderLine) -> str:
        return stored_money(obj.item_tax, obj.order.currency)

    @staticmethod
    def resolve_shipping(obj: OrderLine) -> str:
        return stored_money(obj.shipping, obj.order.currency)

    @staticmethod
    def resolve_shipping_tax(obj: OrderLine) -> str:
        return stored_money(obj.shipping_tax, obj.order.currency)

    @staticmethod
    def resolve_discount(obj: OrderLine) -> str:
        return stored_money(obj.discount, obj.order.currency)

    @staticmethod
    def resolve_item_amount(obj: OrderLine) -> str:
        return money(obj.item_amount, obj.order.currency)


class OrderOut(Schema):
    account: str = Field(description="Channel account code.")
    external_id: str
    marketplace: str
    purchased_at: dt.datetime
    status: OrderStatus
    fulfilment_channel: FulfilmentChannel
    ship_country: str
    ship_region: str | None = None
    ship_city: str | None = None
    ship_postal: str | None = None
    customer_ref: str | None = None
    currency: str
    items_total: str
    shipping_total: str
    tax_total: str
    discount_total: str
    order_total: str
    base_currency: str
    fx_rate: str = Field(description="Units of base currency per unit of order currency at the purchase date.")
    order_total_base: str = Field(description="order_total × fx_rate, in base_currency.")

    resolve_ship_region = _customer_resolver("ship_region")
    resolve_ship_city = _customer_resolver("ship_city")
    resolve_ship_postal = _customer_resolver("ship_postal")
    resolve_customer_ref = _customer_resolver("customer_ref")

    @staticmethod
    def resolve_account(obj: Order) -> str:
        return obj.account.code

    @staticmethod
    def resolve_items_total(obj: Order) -> str:
        return stored_money(obj.items_total, obj.currency)

    @staticmethod
    def resolve_shipping_total(obj: Order) -> str:
        return stored_money(obj.shipping_total, obj.currency)

    @staticmethod
    def resolve_tax_total(obj: Order) -> str:
        return stored_money(obj.tax_total, obj.currency)

    @staticmethod
    def resolve_discount_total(obj: Order) -> str:
        return stored_money(obj.discount_total, obj.currency)

    @staticmethod
    def resolve_order_total(obj: Order) -> str:
        return stored_money(obj.order_total, obj.currency)

    @staticmethod
    def resolve_fx_rate(obj: Order) -> str:
        return plain(obj.fx_rate)

    @staticmethod
    def resolve_order_total_base(obj: Order) -> str:
        return money(obj.order_total * obj.fx_rate, obj.base_currency)


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())


class OrderFilters(Schema):
    account: str | None = Field(None, description="Channel account code.")
    status: OrderStatus | None = None
    fulfilment_channel: FulfilmentChannel | None = None
    ship_country: CountryCode | None = None
    date_from: dt.date | None = Field(None, alias="from", description="First purchase day (company time zone).")
    date_to: dt.date | None = Field(None, alias="to", description="Last purchase day, inclusive.")


def _day_start(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


@router.get("/orders", response={200: Page[OrderOut], **AUTH_ERRORS}, auth=needs("orders.view_order"))
def list_orders(request, filters: Query[OrderFilters], page: Query[PageParams]):
    """Orders, newest first. ``from``/``to`` are days in the company's time zone. Requires ``orders.view_order``."""
    qs = Order.objects.select_related("account").order_by("-purchased_at", "-id")
    if filters.account:
        qs = qs.filter(account__code=filters.account)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.fulfilment_channel:
        qs = qs.filter(fulfilment_channel=filters.fulfilment_channel)
    if filters.ship_country:
        qs = qs.filter(ship_country=filters.ship_country)
    if filters.date_from or filters.date_to:
        tz = zoneinfo.ZoneInfo(CompanySettings.load().time_zone)
        if filters.date_from:
            qs = qs.filter(purchased_at__gte=_day_start(filters.date_from, tz))
        if filters.date_to:
            qs = qs.filter(purchased_at__lt=_day_start(filters.date_to + dt.timedelta(days=1), tz))
    return paginate(qs, page)


@router.get("/orders/{account}/{external_id}", response={200: OrderDetailOut, 404: ErrorOut, **AUTH_ERRORS},
            auth=needs("orders.view_order"))
def get_order(request, account: str, external_id: str):
    """One order with its lines. Requires ``orders.view_order``."""
    qs = Order.objects.select_related("account").prefetch_related("lines__product")
    order = get_or_404(qs, f"No order {external_id!r} on account {account!r}.",
                       account__code=account, external_id=external_id)
    return order
