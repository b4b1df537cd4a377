"""Warehouses: list and create."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from chuhai.inventory.services import create_warehouse

from .. import queries, specs
from ..filters import WarehouseFilter
from ..forms import WarehouseForm, add_service_errors
from ..tables import table_response
from .common import form_page


@permission_required("inventory.view_warehouse", raise_exception=True)
def warehouse_list(request):
    filters = WarehouseFilter(request.GET)
    can_add = request.user.has_perm("inventory.add_warehouse")
    return table_response(
        request, spec=specs.WAREHOUSES, queryset=queries.warehouses(**filters.values()),
        template="web/pages/list.html",
        context={
            "title": _("Warehouses"),
            "filter_form": filters,
            "create_url": reverse("warehouse-create") if can_add else None,
            "create_label": _("New warehouse"),
        },
    )


@permission_required("inventory.add_warehouse", raise_exception=True)
def warehouse_create(request):
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warehouse = create_warehouse(
                code=data["code"], type=data["type"], country=data["country"],
                time_zone=data["time_zone"] or None, name=data["name"],
            )
        except (ValidationError, ValueError, IntegrityError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Warehouse %(code)s created.") % {"code": warehouse.code})
            return redirect("warehouses")
    return form_page(request, form, _("New warehouse"), reverse("warehouses"))
