"""Customer returns: link them to their orders, record the ones that come back to our own warehouses, and process
each one exactly once — restocked as sellable, as unsellable, or not restocked — with the stock ledger movement
that says so.

Two ways a return arrives:

- Amazon's FBA customer returns report (imported by :mod:`chuhai.channels.ingest.writers.returns`): Amazon has
  already inspected the unit and says so in ``disposition`` (SELLABLE, CUSTOMER_DAMAGED...). The unit is back in the
  account's FBA warehouse, so the restock decision and the warehouse default from the report
  (:func:`fba_defaults`); :func:`process_fba_returns` applies them in bulk, leaving for a person what the report
  does not decide (EXPIRED, an unmapped SKU...).
- A parcel back at one of our own warehouses (merchant / 3PL orders): :func:`record_return`, then a person
  inspects it and decides.

Processing (:func:`process_return`) posts one ``customer_return`` movement per component (a bundle comes back as
its components, like it left) through :func:`chuhai.inventory.stock.adjust`, in the same transaction as the
return's update. The update is conditional (``processed_at IS NULL``), so two people clicking "process" at once,
or a bulk run overlapping a click, restock the unit once and the second gets :class:`AlreadyProcessed`.

The refund is not ours to make; :func:`refund_info` shows what the order's status and the settlement lines say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.catalog.models import Listing, Product
from chuhai.inventory.ledger import MovementKind, StockState
from chuhai.inventory.stock import adjust, components
from chuhai.orders.models import FulfilmentChannel, Order, OrderStatus

from .models import CustomerReturn, RestockDecision, ReturnCondition

#: What Amazon's ``detailed-disposition`` means for our stock. Anything else (EXPIRED, unknown codes) is left
#: for a person to decide.
FBA_DISPOSITION_RESTOCK = {
    "SELLABLE": RestockDecision.SELLABLE,
    "DAMAGED": RestockDecision.UNSELLABLE,
    "CUSTOMER_DAMAGED": RestockDecision.UNSELLABLE,
    "CARRIER_DAMAGED": RestockDecision.UNSELLABLE,
    "DEFECTIVE": RestockDecision.UNSELLABLE,
}
FBA_DISPOSITION_CONDITION = {
    "SELLABLE": ReturnCondition.SELLABLE,
    "DAMAGED": ReturnCondition.DAMAGED,
    "CUSTOMER_DAMAGED": ReturnCondition.DAMAGED,
    "CARRIER_DAMAGED": ReturnCondition.DAMAGED,
    "DEFECTIVE": ReturnCondition.DEFECTIVE,
}
#: The decisions a person (or the FBA defaults) can take; "" means still pending.
DECISIONS = (RestockDecision.SELLABLE, RestockDecision.UNSELLABLE, RestockDecision.NOT_RESTOCKED)
#: Which stock state each restock decision adds to.
RESTOCK_STATE = {RestockDecision.SELLABLE: StockState.ON_HAND, RestockDecision.UNSELLABLE: StockState.UNSELLABLE}
#: Settlement / transaction report rows of a refund (Amazon's ``transaction-type`` / ``type``, any case).
REFUND_TRANSACTION_TYPE = "refund"


class AlreadyProcessed(ValueError):
    """The return was processed before (by someone else, or by a bulk run): its units are not restocked twice."""


# -- linking to orders ------------------------------------------------------------------------------------------

def _matching_order() -> QuerySet[Order]:
    return Order.objects.filter(account=OuterRef("account"), external_id=OuterRef("order_ref"))


def link_orders(queryset: QuerySet[CustomerReturn] | None = None) -> int:
    """Fill ``order`` on returns that have none, from their account and order id. Returns how many were linked.

    One UPDATE with a correlated subquery, so a report of 100,000 returns costs one statement. Returns whose order
    has not been imported yet stay unlinked; calling this again after the orders import links them.
    """
    qs = CustomerReturn.objects.all() if queryset is None else queryset
    qs = qs.filter(order__isnull=True).filter(Exists(_matching_order()))
    return CustomerReturn.objects.filter(pk__in=qs.values("pk")).update(
        order=Subquery(_matching_order().values("pk")[:1]))


# -- what a return is -------------------------------------------------------------------------------------------

def return_product(customer_return: CustomerReturn) -> Product:
    """The product the returned SKU is: the account's listing with that channel SKU, else our product with that
    SKU, else the product of the order line sold under it. ``ValueError`` when none (map the SKU first)."""
    sku = customer_return.sku
    listing = Listing.objects.filter(account_id=customer_return.account_id, channel_sku=sku).select_related(
        "product").first()
    if listing is not None:
        return listing.product
    product = Product.objects.filter(sku=sku).first()
    if product is not None:
        return product
    if customer_return.order_id:
        line = customer_return.order.lines.filter(channel_sku=sku, product__isnull=False).select_related(
            "product").first()
        if line is not None:
            return line.product
    raise ValueError(_("SKU %(sku)s of account %(account)s is not mapped to a product; map it (Unmapped SKUs) before "
                       "restocking") % {"sku": repr(sku), "account": customer_return.account.code})


def fba_warehouse(account):
    """The account's FBA warehouse (its allocation rule's), or None."""
    from chuhai.inventory.channel_rules import AllocationRule

    rule = AllocationRule.objects.filter(account=account).select_related("fba_warehouse").first()
    return rule.fba_warehouse if rule is not None else None


def is_fba_return(customer_return: CustomerReturn) -> bool:
    """Returned to an Amazon fulfilment centre: the FBA returns report names the centre (and the unit's licence
    plate); a return entered by hand for an FBA order counts too."""
    if customer_return.fulfillment_center or customer_return.license_plate:
        return True
    order = customer_return.order if customer_return.order_id else None
    return order is not None and order.fulfilment_channel == FulfilmentChannel.FBA


@dataclass(frozen=True)
class Defaults:
    """What processing a return would do without further input: ``restock`` "" = a person must decide."""

    restock: str
    condition: str
    warehouse: object | None


def fba_defaults(customer_return: CustomerReturn) -> Defaults:
    """For an FBA return: the decision and condition Amazon's disposition implies, in the account's FBA
    warehouse. For other returns, nothing is implied (the warehouse is the one already chosen, if any)."""
    if not is_fba_return(customer_return):
        return Defaults("", customer_return.condition, customer_return.restock_warehouse)
    disposition = (customer_return.disposition or "").strip().upper()
    return Defaults(
        FBA_DISPOSITION_RESTOCK.get(disposition, ""),
        customer_return.condition or FBA_DISPOSITION_CONDITION.get(disposition, ""),
        customer_return.restock_warehouse or fba_warehouse(customer_return.account),
    )


# -- recording and processing -----------------------------------------------------------------------------------

def _order_line_skus(order: Order) -> dict[str, int]:
    """Units sold per SKU on the order, under the channel SKU and under our product SKU."""
    sold: dict[str, int] = defaultdict(int)
    for line in order.lines.select_related("product").exclude(quantity__lte=0):
        sold[line.channel_sku] += line.quantity
        if line.product_id and line.product.sku != line.channel_sku:
            sold[line.product.sku] += line.quantity
    return sold


def record_return(account, order: Order, sku: str, quantity: int, reason: str = "", condition: str = "",
                  returned_at: dt.datetime | None = None, user=None) -> CustomerReturn:
    """A parcel came back (to one of our warehouses, typically): store it, pending a restock decision.

    The SKU must be on the order and the units returned (with earlier returns of the same SKU) may not exceed the
    units sold, so a slip of the keyboard cannot restock more than ever left. ``user`` is kept in the history.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValueError(_("quantity must be a whole number greater than 0, not %(value)s") % {"value": repr(quantity)})
    if order.account_id != account.pk:
        raise ValueError(_("order %(order)s belongs to account %(owner)s, not %(account)s") % {
            "order": order.external_id, "owner": order.account.code, "account": account.code})
    sku = (sku or "").strip()
    if condition not in ReturnCondition.values:
        raise ValueError(_("unknown condition %(condition)s; choose one of %(choices)s") % {
            "condition": repr(condition), "choices": ", ".join(v for v in ReturnCondition.values if v)})
    sold = _order_line_skus(order)
    if sku not in sold:
        raise ValueError(_("SKU %(sku)s is not on order %(order)s (its SKUs: %(skus)s)") % {
            "sku": repr(sku), "order": order.external_id, "skus": ", ".join(sorted(sold))})
    returned = CustomerReturn.objects.filter(account=account, order_ref=order.external_id, sku=sku).aggregate(
        n=Sum("quantity"))["n"] or 0
    if returned + quantity > sold[sku]:
        raise ValueError(_("order %(order)s sold %(sold)s × %(sku)s; %(returned)s already returned, so at most "
                           "%(left)s more can come back") % {
            "order": order.external_id, "sold": sold[sku], "sku": sku, "returned": returned,
            "left": sold[sku] - returned})
    line_name = order.lines.filter(channel_sku=sku).values_list("product_name", flat=True).first() or ""
    customer_return = CustomerReturn(
        account=account, order=order, order_ref=order.external_id, sku=sku, quantity=quantity,
        returned_at=returned_at or timezone.now(), reason=(reason or "").strip()[:80], condition=condition,
        product_name=line_name[:500],
    )
    if user is not None:
        customer_return._history_user = user
    customer_return.full_clean()
    customer_return.save()
    return customer_return


def _reason(customer_return: CustomerReturn, decision: str) -> str:
    parts = [_("customer return #%(id)s of order %(order)s") % {"id": customer_return.pk,
                                                                  "order": customer_return.order_ref},
             str(RestockDecision(decision).label).lower()]
    if customer_return.reason:
        parts.append(_("reason %(reason)s") % {"reason": customer_return.reason})
    if customer_return.disposition:
        parts.append(_("disposition %(disposition)s") % {"disposition": customer_return.disposition})
    return "; ".join(parts)


def process_return(customer_return: CustomerReturn, restock: str | None = None, warehouse=None,
                   condition: str | None = None, user=None) -> CustomerReturn:
    """Decide what happens to a returned unit and move the stock accordingly, once.

    ``restock``: sellable (+on hand), unsellable (+unsellable) or not_restocked (no movement: disposed, kept by the
    buyer, never arrived). For an FBA return, ``restock``, ``warehouse`` and ``condition`` default from Amazon's
    disposition and the account's FBA warehouse. Raises :class:`AlreadyProcessed` if it was processed before and
    ``ValueError`` for a missing decision / warehouse or an unmapped SKU; nothing is written then.
    """
    defaults = fba_defaults(customer_return)
    restock = restock or defaults.restock
    if restock not in DECISIONS:
        choices = ", ".join(DECISIONS)
        if restock:
            raise ValueError(_("choose what happens to the returned units: %(choices)s (not %(value)s)") % {
                "choices": choices, "value": repr(restock)})
        raise ValueError(_("choose what happens to the returned units: %(choices)s") % {"choices": choices})
    condition = defaults.condition if condition is None else condition
    if condition not in ReturnCondition.values:
        raise ValueError(_("unknown condition %(condition)s") % {"condition": repr(condition)})
    if customer_return.quantity <= 0:
        raise ValueError(_("return #%(id)s has quantity %(quantity)s: nothing to restock") % {
            "id": customer_return.pk, "quantity": customer_return.quantity})
    target = None
    parts: list[tuple[Product, int]] = []
    if restock in RESTOCK_STATE:
        target = warehouse or defaults.warehouse
        if target is None:
            raise ValueError(_("choose the warehouse the returned units go back into"))
        parts = components(return_product(customer_return))
    now = timezone.now()
    with transaction.atomic():
        claimed = CustomerReturn.objects.filter(pk=customer_return.pk, processed_at__isnull=True).update(
            restock=restock, restock_warehouse=target, condition=condition, processed_at=now,
            processed_by=user)
        if not claimed:
            raise AlreadyProcessed(_("return #%(id)s (order %(order)s, %(sku)s) was already processed") % {
                "id": customer_return.pk, "order": customer_return.order_ref, "sku": customer_return.sku})
        for product, per_unit in parts:
            adjust(product, target, per_unit * customer_return.quantity, _reason(customer_return, restock),
                   user=user, state=RESTOCK_STATE[restock], kind=MovementKind.CUSTOMER_RETURN,
                   reference=customer_return.order_ref)
    customer_return.refresh_from_db()
    return customer_return


@dataclass
class BulkResult:
    processed: list[CustomerReturn] = field(default_factory=list)
    #: (return, why it was left for a person)
    skipped: list[tuple[CustomerReturn, str]] = field(default_factory=list)


def process_fba_returns(account, user=None) -> BulkResult:
    """Process every pending FBA return of ``account`` whose disposition decides it, in the account's FBA
    warehouse. Each return is its own transaction: one unmapped SKU does not hold back the rest; it is listed in
    ``skipped`` with the reason, like the dispositions the report leaves open."""
    warehouse = fba_warehouse(account)
    if warehouse is None:
        raise ValueError(_("account %(account)s has no FBA warehouse: set one in its allocation rule") % {
            "account": account.code})
    result = BulkResult()
    pending = CustomerReturn.objects.filter(account=account, processed_at__isnull=True).select_related(
        "account", "order").order_by("returned_at", "pk")
    for customer_return in pending:
        if not is_fba_return(customer_return):
            continue
        disposition = (customer_return.disposition or "").strip().upper()
        if disposition not in FBA_DISPOSITION_RESTOCK:
            result.skipped.append((customer_return, _("disposition %(disposition)s needs a decision") % {
                "disposition": customer_return.disposition or "—"}))
            continue
        try:
            result.processed.append(process_return(customer_return, warehouse=warehouse, user=user))
        except ValueError as exc:  # AlreadyProcessed included: someone else got there first
            result.skipped.append((customer_return, str(exc)))
    return result


# -- refunds ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RefundInfo:
    """What we know of the money side of a return: the order's status and the refund rows of the settlement /
    transaction reports for that order id (net per currency: refunded principal and tax less the fees Amazon
    gives back), plus the amount recorded on the return itself."""

    order_status: str
    order_status_label: str
    refunded: bool
    settlement_totals: dict[str, Decimal]
    settlement_lines: int
    return_amount: Decimal | None
    return_currency: str


def refund_info(customer_return: CustomerReturn) -> RefundInfo:
    from chuhai.finance.models import LedgerLine

    order = customer_return.order if customer_return.order_id else None
    totals: dict[str, Decimal] = {}
    count = 0
    if customer_return.order_ref:
        rows = (LedgerLine.objects.filter(account_id=customer_return.account_id, order_ref=customer_return.order_ref,
                                          transaction_type__iexact=REFUND_TRANSACTION_TYPE)
                .order_by().values("currency").annotate(total=Sum("amount"), n=Count("id")))
        for row in rows:
            totals[row["currency"]] = row["total"]
            count += row["n"]
    status = order.status if order else ""
    return RefundInfo(
        order_status=status,
        order_status_label=order.get_status_display() if order else "",
        refunded=status == OrderStatus.REFUNDED or bool(totals),
        settlement_totals=totals,
        settlement_lines=count,
        return_amount=customer_return.refund_amount,
        return_currency=customer_return.refund_currency,
    )


def refund_total_subquery(field_name: str = "amount"):
    """Per return (outer query): the net of its order's refund lines (``field_name="currency"``: their currency),
    for list pages and exports. An order refunded in two currencies shows the first by code; the detail page
    (:func:`refund_info`) shows every currency."""
    from chuhai.finance.models import LedgerLine

    per_currency = (LedgerLine.objects.filter(account=OuterRef("account"), order_ref=OuterRef("order_ref"),
                                              transaction_type__iexact=REFUND_TRANSACTION_TYPE)
                    .order_by("currency").values("currency").annotate(total=Sum("amount")))
    return Subquery(per_currency.values("currency" if field_name == "currency" else "total")[:1])
