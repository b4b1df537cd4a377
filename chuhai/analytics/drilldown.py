"""The order list as the analytics pages' drill-down: narrow an order queryset to a channel (the account's
platform), a marketplace, a SKU or a category, and to the documents the metric layer counts as sales — so a click on a chart bar
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


def has_line(sku: str = "", category: str = "") -> Q:
    """The condition on :class:`~chuhai.orders.models.Order` for "a line not cancelled has SKU ``sku`` and
    category ``category``" (either may be empty: not filtered). The layer's SKU is ``COALESCE(p.sku,
    m.channel_sku)`` (ours, or the channel's on a line mapped to no product) and its category ``COALESCE(
    p.category, '')`` (a line without a product has the empty category); both must hold on the same line, as for
    the layer's figure of that SKU within that category."""
    lines = OrderLine.objects.filter(order=OuterRef("pk")).exclude(item_status=ItemStatus.CANCELLED)
    if sku:
        lines = lines.filter(Q(product__sku=sku) | Q(product__isnull=True, channel_sku=sku))
    if category:
        lines = lines.filter(product__category=category)
    return Q(Exists(lines))


def filter_orders(queryset: QuerySet[Order], channel: str = "", marketplace: str = "",
                  sales: str = "", sku: str = "", category: str = "") -> QuerySet[Order]:
    """``channel``: platform id (``amazon``); ``marketplace``: country code; ``sales``: ``yes`` keeps only the
    documents counted in sales, ``no`` only the others (cancelled, awaiting payment, every line cancelled);
    ``sku`` and ``category``: the documents with a line not cancelled of that SKU and that category
    (:func:`has_line`)."""
    if channel:
        queryset = queryset.filter(account__platform=channel)
    if marketplace:
        queryset = queryset.filter(marketplace=marketplace)
    if sales == "yes":
        queryset = queryset.filter(counted_in_sales())
    elif sales == "no":
        queryset = queryset.exclude(counted_in_sales())
    if sku or category:
        queryset = queryset.filter(has_line(sku, category))
    return queryset
