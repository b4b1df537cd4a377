"""Orders: ``GET /orders``, ``GET /orders/{account}/{external_id}``, and ``POST /orders`` for orders entered by
hand (B2B, offline sales, replacements, samples), which reserve their stock or are refused whole (409).

Amounts are in the order's currency; ``order_total_base`` is the order total in the company's base currency at
the rate stored on the order at its purchase date (``order_total × fx_rate``, rounded once, here). The buyer's
region, city, postal code and reference are personal data and only sent to users holding
``orders.view_order_customer``; the others get ``null``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from chuhai.channels.models import ChannelAccount
from chuhai.core.models import CompanySettings
from chuhai.inventory.reservations import OrderAllocation, Reservation
from chuhai.inventory.stock import InsufficientStock
from chuhai.orders.manual import ManualLine, OrderExists, create_manual_order
from chuhai.orders.models import FulfilmentChannel, Order, OrderLine, OrderStatus

from .auth import needs
from .errors import get_or_404, service_errors
from .schemas import (
    AUTH_ERRORS,
    WRITE_ERRORS,
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


class ReservationOut(Schema):
    line_no: int
    sku: str = Field(description="The SKU whose units are held (a bundle line holds its components).")
    warehouse: str
    quantity: int
    status: str = Field(description="reserved, shipped or released")


class OrderAllocationOut(Schema):
    status: str | None = Field(description="allocated, short, shipped, released, unmapped, no_warehouse, "
                                           "not_tracked; null when stock never moved for the order")
    message: str
    reservations: list[ReservationOut]


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    allocation: OrderAllocationOut

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_allocation(obj: Order) -> dict:
        allocation = OrderAllocation.objects.filter(order=obj).first()
        held = (Reservation.objects.filter(order_line__order=obj)
                .select_related("order_line", "product", "warehouse")
                .order_by("order_line__line_no", "product__sku", "warehouse__code"))
        return {"status": allocation.status if allocation else None, "message": allocation.message if allocation
                else "", "reservations": [{"line_no": r.order_line.line_no, "sku": r.product.sku,
                                           "warehouse": r.warehouse.code, "quantity": r.quantity,
                                           "status": r.status} for r in held]}


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


class ManualLineIn(Schema):
    sku: str = Field(..., min_length=1, max_length=100, description="Our SKU or the account's channel SKU.")
    quantity: int = Field(..., strict=True, gt=0)
    unit_price: str | None = Field(None, description="Decimal string; default: the listing's price, else 0.")


class ManualOrderIn(Schema):
    account: str = Field(..., description="Channel account code.", examples=["B2B"])
    external_id: str = Field(..., min_length=1, max_length=64, examples=["PO-2026-0042"])
    ship_country: str = Field(..., min_length=2, max_length=40, examples=["US"])
    lines: list[ManualLineIn] = Field(..., min_length=1)
    currency: str | None = Field(None, description="Default: the account's currency.")
    fulfilment_channel: FulfilmentChannel = FulfilmentChannel.MERCHANT
    is_replacement: bool = False


class AllocationLineOut(Schema):
    line_no: int
    sku: str = Field(description="The SKU whose units are held (a bundle line holds its components).")
    warehouse: str
    quantity: int


class ManualOrderOut(Schema):
    account: str
    external_id: str
    status: OrderStatus
    allocation: list[AllocationLineOut]


@router.post("/orders", response={201: ManualOrderOut, **WRITE_ERRORS}, auth=needs("orders.add_order"))
def create_order(request, payload: ManualOrderIn):
    """Enter an order by hand and reserve its stock by the account's allocation rule. Requires
    ``orders.add_order``. 201 with where each unit is held; 409 with the reason (stock short, id already used) and
    nothing written."""
    account = ChannelAccount.objects.filter(code=payload.account).first()
    if account is None:
        raise HttpError(422, f"account: no channel account {payload.account!r}")
    lines = [ManualLine(line.sku, line.quantity, line.unit_price) for line in payload.lines]
    with service_errors(f"{account.code} already has an order {payload.external_id}."):
        try:
            order = create_manual_order(
                account, payload.external_id, payload.ship_country, lines, currency=payload.currency,
                fulfilment_channel=payload.fulfilment_channel, is_replacement=payload.is_replacement,
                user=request.user)
        except (InsufficientStock, OrderExists) as exc:
            raise HttpError(409, str(exc)) from exc
    held = (Reservation.objects.filter(order_line__order=order).select_related("order_line", "product", "warehouse")
            .order_by("order_line__line_no", "product__sku", "warehouse__code"))
    return Status(201, {"account": account.code, "external_id": order.external_id, "status": order.status,
                        "allocation": [{"line_no": r.order_line.line_no, "sku": r.product.sku,
                                        "warehouse": r.warehouse.code, "quantity": r.quantity} for r in held]})
