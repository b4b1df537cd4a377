"""Finance settings (finance): the choices that change how money is counted — costing method, how non-order fees
are allocated, whether VAT on platform fees is recoverable, when an unsettled order is flagged. One row; every
change is kept by django-simple-history and shown under the form with who made it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chuhai.finance.finance_settings import FinanceSettings
from chuhai.finance.settings_service import FIELDS, MAX_UNSETTLED_DAYS, last_change, update_finance_settings

from ..forms import add_service_errors
from ..history import change_history

VIEW_PERM = "finance.access_finance"
CHANGE_PERM = "finance.change_financesettings"


class FinanceSettingsForm(forms.ModelForm):
    class Meta:
        model = FinanceSettings
        fields = list(FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unsettled_after_days"].min_value = 1
        self.fields["unsettled_after_days"].max_value = MAX_UNSETTLED_DAYS
        self.fields["unsettled_after_days"].widget.attrs.update({"min": 1, "max": MAX_UNSETTLED_DAYS})

    def _post_clean(self):
        pass  # the service validates and saves


@permission_required(VIEW_PERM, raise_exception=True)
def finance_settings(request):
    settings = FinanceSettings.load()
    can_edit = request.user.has_perm(CHANGE_PERM)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = FinanceSettingsForm(request.POST, instance=settings)
        if form.is_valid():
            try:
                update_finance_settings({name: form.cleaned_data[name] for name in FIELDS}, user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Finance settings saved."))
                return redirect("finance-settings")
        messages.error(request, _("Please correct the errors below."))
        settings.refresh_from_db()
    else:
        form = FinanceSettingsForm(instance=settings)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    changed = last_change(settings)
    return render(request, "web/pages/finance_settings.html", {
        "title": _("Finance settings"), "form": form, "can_edit": can_edit,
        "last_changed_at": changed[0] if changed else None,
        "last_changed_by": (changed[1] or _("system (command line or import)")) if changed else None,
        "history": change_history(settings),
    })
