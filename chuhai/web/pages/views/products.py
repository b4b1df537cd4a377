"""Products: list, detail (components, listings, change history), create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chuhai.catalog.models import Product
from chuhai.catalog.services import create_product
from chuhai.core.exports import money_text

from .. import queries, specs
from ..filters import ProductFilter
from ..forms import ProductForm, add_service_errors
from ..history import change_history
from ..tables import table_response
from .common import field_rows, form_page


@permission_required("catalog.view_product", raise_exception=True)
def product_list(request):
    filters = ProductFilter(request.GET, categories=queries.product_categories())
    return table_response(
        request, spec=specs.PRODUCTS, queryset=queries.products(**filters.values()), template="web/pages/list.html",
        context={
            "title": _("Products"),
            "filter_form": filters,
            "create_url": reverse("product-create") if request.user.has_perm("catalog.add_product") else None,
            "create_label": _("New product"),
        },
    )


@permission_required("catalog.view_product", raise_exception=True)
def product_detail(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    components = product.components.select_related("component").order_by("component__sku")
    used_in = product.used_in_bundles.select_related("bundle").order_by("bundle__sku")
    listings = product.listings.select_related("account").order_by("account__code", "channel_sku")
    return render(request, "web/pages/product_detail.html", {
        "product": product,
        "fields": field_rows(product, ProductForm.Meta.fields, money={"purchase_cost": "cost_currency"}),
        "components": components,
        "used_in": used_in,
        "listings": [(listing, money_text(listing.price, listing.currency)) for listing in listings],
        "history": change_history(product),
        "can_change": request.user.has_perm("catalog.change_product"),
    })


@permission_required("catalog.add_product", raise_exception=True)
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            product = create_product(
                sku=data.pop("sku"), name_en=data.pop("name_en"), name_zh=data.pop("name_zh"),
                cost=data.pop("purchase_cost"), cost_currency=data.pop("cost_currency") or None,
                weight_g=data.pop("weight_g"), **data,
            )
        except (ValidationError, ValueError, IntegrityError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Product %(sku)s created.") % {"sku": product.sku})
            return redirect("product-detail", pk=product.pk)
    return form_page(request, form, _("New product"), reverse("products"))


@permission_required("catalog.change_product", raise_exception=True)
def product_edit(request, pk: int):
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except (ValidationError, IntegrityError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
            return redirect("product-detail", pk=product.pk)
    return form_page(request, form, _("Edit product %(sku)s") % {"sku": product.sku},
                     reverse("product-detail", args=[product.pk]))
