"""Unmapped channel SKUs: what imports could not link to one of our products, biggest sellers first, with a form
per row to map the SKU to a product (which also re-links the order lines already imported).

Seeing the list needs ``catalog.view_unmappedsku``; mapping needs ``catalog.add_listing`` (mapping creates a listing).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chuhai.catalog.mapping import map_channel_sku, unmapped_skus_with_sales
from chuhai.catalog.models import Product, UnmappedSku
from chuhai.channels.models import ChannelAccount
from chuhai.core.exports import DATETIME, EXPORTERS, MONEY, NUMBER, Column, TableSpec

from ..tables import PAGE_SIZE, build_table, export_response, wants_fragment

MAP_PERM = "catalog.add_listing"
#: Product SKUs offered as suggestions in the mapping inputs (typing any other SKU works too).
SUGGESTED_PRODUCTS = 3000

UNMAPPED_SKUS = TableSpec("unmapped-skus", (
    Column("account", gettext_lazy("Account"), lambda u: u.account.code, code=True),
    Column("channel_sku", gettext_lazy("Channel SKU"), lambda u: u.channel_sku, code=True),
    Column("product_name", gettext_lazy("Name on the channel"), lambda u: u.product_name),
    Column("line_count", gettext_lazy("Order lines"), lambda u: u.line_count, kind=NUMBER),
    Column("units", gettext_lazy("Units sold"), lambda u: u.units, kind=NUMBER),
    Column("sales", gettext_lazy("Sales (base currency)"), lambda u: u.sales, kind=MONEY,
           currency=lambda u: u.base_currency),
    Column("base_currency", gettext_lazy("Base currency"), lambda u: u.base_currency),
    Column("first_seen_at", gettext_lazy("First seen"), lambda u: u.first_seen_at, kind=DATETIME),
    Column("last_seen_at", gettext_lazy("Last seen"), lambda u: u.last_seen_at, kind=DATETIME),
))
TABLE_TEMPLATE = "web/pages/_unmapped_table.html"


@permission_required("catalog.view_unmappedsku", raise_exception=True)
def unmapped_list(request):
    accounts = ChannelAccount.objects.order_by("code")
    account = accounts.filter(code=request.GET.get("account") or "").first()
    queryset = unmapped_skus_with_sales(account)
    fmt = request.GET.get("export")
    if fmt:
        if fmt not in EXPORTERS:
            return HttpResponseBadRequest("export must be csv or xlsx")
        return export_response(UNMAPPED_SKUS, queryset, fmt)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    table = build_table(UNMAPPED_SKUS, page)
    can_map = request.user.has_perm(MAP_PERM)
    context = {
        "title": _("Unmapped SKUs"),
        "table": table,
        "rows": list(zip(page.object_list, table.rows, strict=True)),
        "can_map": can_map,
        "accounts": accounts,
        "account": account,
        "products": Product.objects.filter(is_active=True).order_by("sku")
        .values_list("sku", "name_en", "name_zh")[:SUGGESTED_PRODUCTS] if can_map else [],
        "empty_text": _("Every channel SKU is mapped to a product."),
    }
    response = render(request, TABLE_TEMPLATE if wants_fragment(request) else "web/pages/unmapped.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@permission_required(MAP_PERM, raise_exception=True)
def unmapped_map(request, pk: int):
    if request.method != "POST":
        return redirect("unmapped-skus")
    task = get_object_or_404(UnmappedSku.objects.select_related("account"), pk=pk)
    sku = (request.POST.get("sku") or "").strip()
    product = Product.objects.filter(sku=sku).first() if sku else None
    if product is None:
        messages.error(request, _("No product with SKU %(sku)s.") % {"sku": sku or "—"})
    else:
        try:
            relinked = map_channel_sku(task.account, task.channel_sku, product, user=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, ngettext(
                "%(account)s · %(channel_sku)s is now mapped to %(sku)s; %(n)s past order line was linked.",
                "%(account)s · %(channel_sku)s is now mapped to %(sku)s; %(n)s past order lines were linked.",
                relinked,
            ) % {"account": task.account.code, "channel_sku": task.channel_sku, "sku": product.sku, "n": relinked})
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(reverse("unmapped-skus"))
