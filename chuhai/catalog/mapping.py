"""Mapping channel SKUs to our products: the to-do list of unmapped SKUs and the one action that resolves one.

Imports never drop a line whose channel SKU matches none of our products: the line keeps the channel SKU with no
product, and the SKU becomes an :class:`~chuhai.catalog.models.UnmappedSku` task. Mapping it creates the listing
(so later imports link directly) and re-links the lines already imported, in one transaction.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from chuhai.analytics.dashboard import LINE_SALES
from chuhai.core.models import CompanySettings
from chuhai.orders.models import SALE_STATUSES, ItemStatus, OrderLine

from .models import Listing, Product, UnmappedSku

_SUM = DecimalField(max_digits=38, decimal_places=12)


def _lines_of_task() -> QuerySet[OrderLine]:
    """The still-unlinked order lines of the task in the outer query (same account, same channel SKU)."""
    return OrderLine.objects.filter(
        order__account=OuterRef("account"), channel_sku=OuterRef("channel_sku"), product__isnull=True
    ).order_by()


def _aggregate(lines: QuerySet[OrderLine], expression, output_field):
    """One aggregate over ``lines`` as a correlated subquery (grouped by the constant channel SKU)."""
    return Coalesce(
        Subquery(lines.values("channel_sku").annotate(v=expression).values("v")[:1], output_field=output_field),
        Value(0, output_field=output_field),
        output_field=output_field,
    )


def unmapped_skus_with_sales(account=None) -> QuerySet[UnmappedSku]:
    """Open (not yet mapped) SKU tasks, biggest sellers first, each annotated with

    - ``line_count``: its unlinked order lines, whatever their status;
    - ``units``: quantity sold — lines of orders in a sale status (:data:`~chuhai.orders.models.SALE_STATUSES`)
      whose item was not cancelled (credit documents count negatively);
    - ``sales``: those lines' goods value (line amount − discount) in the company's base currency at each order's
      stored rate — the dashboard's definition (:data:`chuhai.analytics.dashboard.LINE_SALES`); orders stored
      against another base currency are left out of ``sales``. Unrounded; round at display.

    One SQL query: the figures are correlated subqueries, so the result pages and exports like any queryset.
    """
    base = CompanySettings.load().base_currency
    lines = _lines_of_task()
    sold = lines.filter(order__status__in=SALE_STATUSES).exclude(item_status=ItemStatus.CANCELLED)
    qs = UnmappedSku.objects.filter(resolved_at__isnull=True).select_related("account").annotate(
        line_count=_aggregate(lines, Count("id"), IntegerField()),
        units=_aggregate(sold, Sum("quantity"), IntegerField()),
        sales=_aggregate(sold.filter(order__base_currency=base), Sum(LINE_SALES), _SUM),
        base_currency=Value(base),
    )
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("-sales", "-line_count", "account__code", "channel_sku")


def map_channel_sku(account, channel_sku: str, product: Product, user=None) -> int:
    """Map ``channel_sku`` of ``account`` to ``product``; returns how many past order lines were re-linked.

    In one transaction: create the listing if there is none (a listing to *another* product is refused — change
    that listing instead, so no line silently moves between products), link every unlinked order line of the
    account with that channel SKU, and mark the task resolved. Idempotent: mapping again re-links nothing.
    ``user`` is recorded in the listing's audit history when the call does not come from a web request.
    """
    channel_sku = (channel_sku or "").strip()
    if not channel_sku:
        raise ValueError("the channel SKU is empty")
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(account=account, channel_sku=channel_sku).first()
        if listing is None:
            listing = Listing(account=account, product=product, channel_sku=channel_sku,
                              marketplace=account.marketplace, currency=account.currency)
            if getattr(user, "pk", None):
                listing._history_user = user  # simple_history's author when no web request is around
            listing.full_clean()
            listing.save()
        elif listing.product_id != product.pk:
            raise ValueError(f"{account.code}: channel SKU {channel_sku} is already listed as product "
                             f"{listing.product.sku}; change that listing instead")
        relinked = OrderLine.objects.filter(
            order__account=account, channel_sku=channel_sku, product__isnull=True
        ).update(product=product)
        UnmappedSku.objects.filter(account=account, channel_sku=channel_sku).update(
            resolved_at=timezone.now(), product=product
        )
    return relinked

