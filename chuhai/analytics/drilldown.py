"""The order list as the analytics pages' drill-down: narrow an order queryset to a channel (the account's
platform), a marketplace, a SKU, and to the documents the metric layer counts as sales — so a click on a chart bar
or a table cell lists exactly the orders behind it.

*Counted in sales* mirrors the order-line relation of :mod:`chuhai.analytics.metric_layer.sources`
(``OrderLines``): a document (order or credit note) in a sale status (:data:`chuhai.orders.models.SALE_STATUSES`)
with at least one line not cancelled, stored in the company's base currency. Those documents make up net sales;
the ``orders`` metric counts the orders among them (credit notes reduce net sales but are not orders).

*A SKU* is the metric layer's ``sku`` dimension, ``COALESCE(p.sku, m.channel_sku)``: our product's SKU, or the
channel's SKU while a line is mapped to no product. A document holds a SKU when one of its lines not cancelled has
it — the lines the layer counts — so a document whose only line of the SKU is cancelled is not the SKU's. The list
shows whole documents: their other SKUs' lines are listed with them, but only the SKU's lines make its figure.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from chuhai.orders.models import SALE_STATUSES, ItemStatus, Order, OrderLine


def counted_in_sales() -> Q:
    """The condition on :class:`~chuhai.orders.models.Order` for "its lines count in net sales"."""
    from chuhai.core.models import CompanySettings

    live_line = OrderLine.objects.filter(order=OuterRef("pk")).exclude(item_status=ItemStatus.CANCELLED)
    return (Q(status__in=[s.value for s in SALE_STATUSES]) & Q(Exists(live_line))
            & Q(base_currency=CompanySettings.load().base_currency))


def has_sku(sku: str) -> Q:
    """The condition on :class:`~chuhai.orders.models.Order` for "a line not cancelled has SKU ``sku``" (ours, or
    the channel's on a line mapped to no product: the layer's ``COALESCE(p.sku, m.channel_sku)``)."""
    lines = (OrderLine.objects.filter(order=OuterRef("pk")).exclude(item_status=ItemStatus.CANCELLED)
             .filter(Q(product__sku=sku) | Q(product__isnull=True, channel_sku=sku)))
    return Q(Exists(lines))


def filter_orders(queryset: QuerySet[Order], channel: str = "", marketplace: str = "",
                  sales: str = "", sku: str = "") -> QuerySet[Order]:
    """``channel``: platform id (``amazon``); ``marketplace``: country code; ``sales``: ``yes`` keeps only the
    documents counted in sales, ``no`` only the others (cancelled, awaiting payment, every line cancelled);
    ``sku``: the documents with a line not cancelled of that SKU (:func:`has_sku`)."""
    if channel:
        queryset = queryset.filter(account__platform=channel)
    if marketplace:
        queryset = queryset.filter(marketplace=marketplace)
    if sales == "yes":
        queryset = queryset.filter(counted_in_sales())
    elif sales == "no":
        queryset = queryset.exclude(counted_in_sales())
    if sku:
        queryset = queryset.filter(has_sku(sku))
    return queryset
