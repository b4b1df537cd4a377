"""Company settings (admin): name, base currency (while no orders exist), time zone, country."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from chuhai.core.company import base_currency_locked
from chuhai.core.models import CompanySettings

from ..forms import CompanySettingsForm
from .common import form_page


@permission_required("core.change_companysettings", raise_exception=True)
def company_settings(request):
    form = CompanySettingsForm(request.POST or None, instance=CompanySettings.load(),
                               base_currency_locked=base_currency_locked())
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Company settings saved."))
        return redirect("company-settings")
    return form_page(request, form, _("Company settings"), reverse("home"))
