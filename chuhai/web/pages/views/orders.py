"""Orders: list and detail (read-only; ingestion arrives with the orders issue)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from chuhai.core.exports import decimal_text
from chuhai.orders.models import Order

from .. import queries, specs
from ..filters import OrderFilter
from ..order_totals import line_rows, total_rows
from ..tables import table_response
from .common import field_rows

ORDER_FIELDS = ["external_id", "account", "marketplace", "purchased_at", "status", "fulfilment_channel", "ship_country"]
CUSTOMER_FIELDS = ["customer_ref", "ship_region", "ship_city", "ship_postal"]


@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    filters = OrderFilter(request.GET)
    return table_response(
        request, spec=specs.ORDERS, queryset=queries.orders(**filters.values()), template="web/pages/list.html",
        context={"title": _("Orders"), "filter_form": filters},
    )


@permission_required("orders.view_order", raise_exception=True)
def order_detail(request, pk: int):
    order = get_object_or_404(Order.objects.select_related("account"), pk=pk)
    names = ORDER_FIELDS + (CUSTOMER_FIELDS if request.user.has_perm("orders.view_order_customer") else [])
    lines = list(order.lines.select_related("product").order_by("line_no"))
    return render(request, "web/pages/order_detail.html", {
        "order": order,
        "fields": field_rows(order, names),
        "lines": line_rows(lines, order.currency),
        "totals": total_rows(order),
        "fx_rate": decimal_text(order.fx_rate),
    })
