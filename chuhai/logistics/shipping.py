"""Shipping an order: the parcel record, the stock leaving the warehouse and the order's status, in one transaction.

A shipment that exists without its stock movement (or the other way round) is exactly the drift sellers complain
about, so :func:`create_shipment` does all of it or nothing: the shipment and its lines, the reserved units turned
into outbound movements (:func:`chuhai.inventory.allocation.ship_lines`), the lines marked shipped and the order
moved to shipped / partially shipped. The order row is locked first, so two people shipping the same order at the
same moment cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import IntegrityError, transaction
from django.utils import timezone

from chuhai.orders.models import FulfilmentChannel, ItemStatus, Order, OrderLine, OrderStatus

from .models import Carrier, Shipment, ShipmentLine

#: Orders that can no longer (or not yet) leave the warehouse.
UNSHIPPABLE = {
    OrderStatus.PENDING: "is still awaiting payment",
    OrderStatus.CANCELLED: "is cancelled",
    OrderStatus.RETURNED: "was returned",
    OrderStatus.REFUNDED: "was refunded",
}


class ShipmentRefused(ValueError):
    """The order's state or its stock does not allow this shipment; nothing was written."""


class UnknownCarrier(ValueError):
    """No carrier with that code."""


def resolve_carrier(carrier: Carrier | str) -> Carrier:
    if isinstance(carrier, Carrier):
        return carrier
    code = (carrier or "").strip()
    found = Carrier.objects.filter(code__iexact=code).first()
    if found is None:
        known = ", ".join(Carrier.objects.order_by("code").values_list("code", flat=True)[:40])
        raise UnknownCarrier(f"unknown carrier {code!r}; known carriers: {known}")
    return found


def order_label(order: Order) -> str:
    return f"{order.external_id} ({order.account.code})"


def line_label(line: OrderLine) -> str:
    sku = line.product.sku if line.product_id else line.channel_sku
    return f"line {line.line_no} ({sku})"


def duplicate_tracking_message(carrier: Carrier, tracking_number: str) -> str:
    other = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).select_related(
        "order__account").first()
    where = f" on order {order_label(other.order)}" if other else ""
    return f"tracking number {tracking_number} of {carrier.name} is already used by another shipment{where}"


def open_lines(order: Order) -> list[OrderLine]:
    """The lines still waiting to leave: open and moving at least one unit."""
    return list(order.lines.filter(item_status=ItemStatus.OPEN, quantity__gt=0).select_related("product")
                .order_by("line_no"))


def _lines_to_ship(order: Order, lines) -> list[OrderLine]:
    if lines is None:
        chosen = open_lines(order)
        if not chosen:
            raise ShipmentRefused(f"order {order_label(order)} has no open lines left to ship")
        return chosen
    ids = [line.pk if isinstance(line, OrderLine) else int(line) for line in lines]
    if not ids:
        raise ShipmentRefused("choose at least one line to ship")
    found = {line.pk: line for line in OrderLine.objects.filter(pk__in=ids).select_related("product")}
    chosen = []
    for pk in dict.fromkeys(ids):
        line = found.get(pk)
        if line is None or line.order_id != order.pk:
            raise ShipmentRefused(f"order line {pk} is not a line of order {order_label(order)}")
        if line.item_status == ItemStatus.SHIPPED:
            raise ShipmentRefused(f"{line_label(line)} of order {order_label(order)} is already shipped")
        if line.item_status == ItemStatus.CANCELLED or line.quantity <= 0:
            raise ShipmentRefused(f"{line_label(line)} of order {order_label(order)} is cancelled")
        chosen.append(line)
    return sorted(chosen, key=lambda line: line.line_no)


def _shipped_from(movements) -> int | None:
    """The warehouse (id) the units left: the one that shipped the most units when several did."""
    units = Counter()
    for movement in movements or ():
        units[movement.warehouse_id] += abs(movement.quantity)
    return units.most_common(1)[0][0] if units else None


def create_shipment(order: Order, carrier: Carrier | str, tracking_number: str, service: str = "",
                    lines=None, shipped_at: dt.datetime | None = None, user=None) -> Shipment:
    """Ship ``lines`` (OrderLine objects or ids; default: every open line) of ``order`` with ``carrier``.

    Raises :class:`UnknownCarrier` for a carrier code that does not exist, :class:`ShipmentRefused` when the order
    or a line cannot ship or the tracking number is already used, and the allocation's
    :class:`~chuhai.inventory.stock.InsufficientStock` / ``ValueError`` when the stock cannot cover it. On any
    error nothing is written.
    """
    from chuhai.inventory import allocation

    carrier = resolve_carrier(carrier)
    tracking_number = (tracking_number or "").strip()
    if len(tracking_number) > Shipment._meta.get_field("tracking_number").max_length:
        raise ValueError("the tracking number is longer than 100 characters")
    if shipped_at is not None and timezone.is_naive(shipped_at):
        raise ValueError("shipped_at needs a time zone")
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
            if order.status in UNSHIPPABLE:
                raise ShipmentRefused(f"order {order_label(order)} {UNSHIPPABLE[order.status]}: it cannot ship")
            if order.fulfilment_channel == FulfilmentChannel.FBA:
                raise ShipmentRefused(f"order {order_label(order)} is fulfilled by Amazon (FBA): Amazon ships it")
            chosen = _lines_to_ship(order, lines)
            if tracking_number and Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).exists():
                raise ShipmentRefused(duplicate_tracking_message(carrier, tracking_number))
            shipment = Shipment.objects.create(
                order=order, carrier=carrier, service=(service or "").strip(), tracking_number=tracking_number,
                shipped_at=shipped_at or timezone.now(), created_by=user,
            )
            ShipmentLine.objects.bulk_create(
                [ShipmentLine(shipment=shipment, order_line=line, quantity=line.quantity) for line in chosen])
            movements = allocation.ship_lines(order, chosen, user)
            warehouse_id = _shipped_from(movements)
            if warehouse_id is not None:
                shipment.warehouse_id = warehouse_id
                shipment.save(update_fields=["warehouse"])
            OrderLine.objects.filter(pk__in=[line.pk for line in chosen]).update(item_status=ItemStatus.SHIPPED)
            still_open = order.lines.filter(item_status=ItemStatus.OPEN, quantity__gt=0).exists()
            order.status = OrderStatus.PARTIALLY_SHIPPED if still_open else OrderStatus.SHIPPED
            order.save(update_fields=["status", "updated_at"])
    except IntegrityError as exc:  # two requests with the same number at once: the unique constraint decides
        if "shipment_unique_tracking" in str(exc) or "tracking_number" in str(exc):
            raise ShipmentRefused(duplicate_tracking_message(carrier, tracking_number)) from exc
        raise
    return shipment
