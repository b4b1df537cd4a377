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
from django.utils.translation import gettext as _

from chuhai.orders.models import FulfilmentChannel, ItemStatus, Order, OrderLine, OrderStatus

from .models import Carrier, Shipment, ShipmentLine

#: Orders that can no longer (or not yet) leave the warehouse.
UNSHIPPABLE = (OrderStatus.PENDING, OrderStatus.CANCELLED, OrderStatus.RETURNED, OrderStatus.REFUNDED)


def unshippable_message(order: Order) -> str:
    """Why an order in one of the :data:`UNSHIPPABLE` statuses cannot ship, in the active language."""
    messages = {
        OrderStatus.PENDING: _("order %(order)s is still awaiting payment: it cannot ship"),
        OrderStatus.CANCELLED: _("order %(order)s is cancelled: it cannot ship"),
        OrderStatus.RETURNED: _("order %(order)s was returned: it cannot ship"),
        OrderStatus.REFUNDED: _("order %(order)s was refunded: it cannot ship"),
    }
    return messages[order.status] % {"order": order_label(order)}


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
        raise UnknownCarrier(_("unknown carrier %(code)s; known carriers: %(known)s") % {
            "code": repr(code), "known": known})
    return found


def order_label(order: Order) -> str:
    return f"{order.external_id} ({order.account.code})"


def line_label(line: OrderLine) -> str:
    sku = line.product.sku if line.product_id else line.channel_sku
    return _("line %(line)s (%(sku)s)") % {"line": line.line_no, "sku": sku}


def duplicate_tracking_message(carrier: Carrier, tracking_number: str) -> str:
    other = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).select_related(
        "order__account").first()
    values = {"number": tracking_number, "carrier": carrier.name}
    if other is None:
        return _("tracking number %(number)s of %(carrier)s is already used by another shipment") % values
    return _("tracking number %(number)s of %(carrier)s is already used by another shipment on order %(order)s") % {
        **values, "order": order_label(other.order)}


def open_lines(order: Order) -> list[OrderLine]:
    """The lines still waiting to leave: open and moving at least one unit."""
    return list(order.lines.filter(item_status=ItemStatus.OPEN, quantity__gt=0).select_related("product")
                .order_by("line_no"))


def _lines_to_ship(order: Order, lines) -> list[OrderLine]:
    if lines is None:
        chosen = open_lines(order)
        if not chosen:
            raise ShipmentRefused(_("order %(order)s has no open lines left to ship") % {"order": order_label(order)})
        return chosen
    ids = [line.pk if isinstance(line, OrderLine) else int(line) for line in lines]
    if not ids:
        raise ShipmentRefused(_("choose at least one line to ship"))
    found = {line.pk: line for line in OrderLine.objects.filter(pk__in=ids).select_related("product")}
    chosen = []
    for pk in dict.fromkeys(ids):
        line = found.get(pk)
        if line is None or line.order_id != order.pk:
            raise ShipmentRefused(_("order line %(id)s is not a line of order %(order)s") % {
                "id": pk, "order": order_label(order)})
        if line.item_status == ItemStatus.SHIPPED:
            raise ShipmentRefused(_("%(line)s of order %(order)s is already shipped") % {
                "line": line_label(line), "order": order_label(order)})
        if line.item_status == ItemStatus.CANCELLED or line.quantity <= 0:
            raise ShipmentRefused(_("%(line)s of order %(order)s is cancelled") % {
                "line": line_label(line), "order": order_label(order)})
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
        raise ValueError(_("the tracking number is longer than 100 characters"))
    if shipped_at is not None and timezone.is_naive(shipped_at):
        raise ValueError(_("shipped_at needs a time zone"))
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
            if order.status in UNSHIPPABLE:
                raise ShipmentRefused(unshippable_message(order))
            if order.fulfilment_channel == FulfilmentChannel.FBA:
                raise ShipmentRefused(_("order %(order)s is fulfilled by Amazon (FBA): Amazon ships it") % {
                    "order": order_label(order)})
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
