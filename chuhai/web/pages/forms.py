"""Forms of the core pages. They parse and normalise what people type (``uk`` → ``GB``, ``usd`` → ``USD``);
creating and validating records is left to the services and to the models' ``full_clean``."""

from __future__ import annotations

import hashlib
import zoneinfo
from decimal import Decimal
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuhai.catalog.models import Product
from chuhai.channels.models import ChannelAccount, OperatingModel, Platform
from chuhai.core.countries import normalize_country
from chuhai.core.models import CompanySettings
from chuhai.core.money import normalize_currency
from chuhai.inventory.models import WarehouseType

from .filters import DateInput


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"]


def add_service_errors(form: forms.Form, exc: Exception) -> None:
    """Show a service's ``ValidationError`` next to the fields it names (or above the form); ``ValueError`` above."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    else:
        form.add_error(None, str(exc))


class NormalizingMixin:
    """``clean_<field>`` for the country and currency fields named in ``country_fields`` / ``currency_fields``."""

    country_fields: tuple[str, ...] = ()
    currency_fields: tuple[str, ...] = ()

    def _clean_fields(self):
        super()._clean_fields()
        for name in self.country_fields + self.currency_fields:
            if name not in getattr(self, "cleaned_data", {}) or name in self.errors:
                continue
            value = self.cleaned_data[name]
            if not value:
                continue
            try:
                normalize = normalize_country if name in self.country_fields else normalize_currency
                self.cleaned_data[name] = normalize(value)
            except ValidationError as exc:
                self.add_error(name, exc)


def _code_input():
    return forms.TextInput(attrs={"size": 4, "autocapitalize": "characters", "autocomplete": "off"})


# -- products ---------------------------------------------------------------------------------------------------

class ProductForm(NormalizingMixin, forms.ModelForm):
    country_fields = ("country_of_origin",)
    currency_fields = ("cost_currency",)

    class Meta:
        model = Product
        fields = [
            "sku", "name_zh", "name_en", "brand", "category", "is_bundle", "purchase_cost", "cost_currency",
            "weight_g", "length_mm", "width_mm", "height_mm", "hs_code", "country_of_origin", "has_battery",
            "is_hazmat", "is_active",
        ]
        widgets = {"cost_currency": _code_input(), "country_of_origin": _code_input()}

    def clean(self):
        data = super().clean()
        if data.get("purchase_cost") is not None and not data.get("cost_currency") and "cost_currency" not in self.errors:
            self.add_error("cost_currency", _("A purchase cost needs its currency."))
        return data


# -- channel accounts -------------------------------------------------------------------------------------------

NEW_CREDENTIAL_ROWS = 3


def _secret_input():
    # new-password: keeps the browser from filling the user's own login password into a platform secret field.
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


def credential_field_name(key: str) -> str:
    return "secret_" + hashlib.sha256(key.encode()).hexdigest()[:12]


class CredentialsMixin:
    """Write-only credential inputs. Stored values are never rendered: each stored key shows its masked value and an
    empty input (blank = keep, a value = replace, the checkbox = remove); empty rows add new keys."""

    def add_credential_fields(self, stored: dict[str, str]) -> None:
        self.stored_credentials = stored
        self.credential_rows = []
        for key, masked in sorted(stored.items()):
            name = credential_field_name(key)
            self.fields[name] = forms.CharField(
                label=key, required=False, strip=False, widget=_secret_input(),
                help_text=_("Stored: %(masked)s. Leave blank to keep it.") % {"masked": masked},
            )
            self.fields[name + "_remove"] = forms.BooleanField(label=_("Remove %(key)s") % {"key": key}, required=False)
            self.credential_rows.append((key, name))
        for i in range(1, NEW_CREDENTIAL_ROWS + 1):
            self.fields[f"new_key_{i}"] = forms.CharField(
                label=_("New credential name"), required=False, max_length=100,
                widget=forms.TextInput(attrs={"placeholder": _("e.g. api_key"), "autocomplete": "off"}),
            )
            self.fields[f"new_value_{i}"] = forms.CharField(
                label=_("Value"), required=False, strip=False, widget=_secret_input()
            )

    def credential_changes(self) -> dict:
        """``{"set": {key: value}, "remove": {key}}`` from the cleaned form (call after ``is_valid``)."""
        data = self.cleaned_data
        changes = {"set": {}, "remove": set()}
        for key, name in self.credential_rows:
            if data.get(name + "_remove"):
                changes["remove"].add(key)
            elif data.get(name):
                changes["set"][key] = data[name]
        for i in range(1, NEW_CREDENTIAL_ROWS + 1):
            key, value = (data.get(f"new_key_{i}") or "").strip(), data.get(f"new_value_{i}") or ""
            if key:
                changes["set"][key] = value
        return changes

    def clean_credentials(self) -> None:
        for i in range(1, NEW_CREDENTIAL_ROWS + 1):
            key, value = (self.cleaned_data.get(f"new_key_{i}") or "").strip(), self.cleaned_data.get(f"new_value_{i}")
            if key and not value:
                self.add_error(f"new_value_{i}", _("Enter the value for %(key)s.") % {"key": key})
            elif value and not key:
                self.add_error(f"new_key_{i}", _("Name this credential."))


class AccountCreateForm(CredentialsMixin, NormalizingMixin, forms.Form):
    country_fields = ("marketplace",)
    currency_fields = ("currency",)

    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short and unique, e.g. AMZ-US."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    marketplace = forms.CharField(label=_("Marketplace"), max_length=2, widget=_code_input(),
                                  help_text=_("Country code, e.g. US, DE, GB, JP."))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False, widget=_code_input(),
                               help_text=_("Leave blank for the marketplace's currency."))
    operating_model = forms.ChoiceField(
        label=_("Operating model"), required=False,
        choices=[("", _("Default for the platform"))] + list(OperatingModel.choices),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_credential_fields({})

    def clean(self):
        data = super().clean()
        self.clean_credentials()
        return data


class AccountEditForm(CredentialsMixin, NormalizingMixin, forms.ModelForm):
    """The code stays fixed once created: orders, listings and scripts refer to it."""

    country_fields = ("marketplace",)
    currency_fields = ("currency",)

    class Meta:
        model = ChannelAccount
        fields = ["name", "platform", "marketplace", "currency", "operating_model", "is_active"]
        widgets = {"marketplace": _code_input(), "currency": _code_input()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_credential_fields(self.instance.masked_credentials())

    def clean(self):
        data = super().clean()
        self.clean_credentials()
        return data


# -- warehouses -------------------------------------------------------------------------------------------------

class WarehouseForm(NormalizingMixin, forms.Form):
    country_fields = ("country",)

    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("Short and unique, e.g. SZ-MAIN."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=WarehouseType.choices)
    country = forms.CharField(label=_("Country"), max_length=2, widget=_code_input())
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False,
                                  help_text=_("Leave blank for the country's main time zone."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [("", _("Default for the country"))] + time_zone_choices()


# -- company settings -------------------------------------------------------------------------------------------

class CompanySettingsForm(NormalizingMixin, forms.ModelForm):
    country_fields = ("country",)
    currency_fields = ("base_currency",)

    class Meta:
        model = CompanySettings
        fields = ["name", "base_currency", "time_zone", "country"]
        widgets = {"base_currency": _code_input(), "country": _code_input()}

    def __init__(self, *args, base_currency_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices())
        self.base_currency_locked = base_currency_locked
        if base_currency_locked:
            # A disabled field ignores whatever is posted for it: the lock holds even against a crafted request.
            self.fields["base_currency"].disabled = True
            self.fields["base_currency"].help_text = _(
                "Locked because orders exist: every order keeps its exchange rate to the base currency at its "
                "purchase date, so changing the base currency now would mix two currencies in every report."
            )
        else:
            self.fields["base_currency"].help_text = _(
                "The currency all consolidated figures are reported in. It can only be changed while there are "
                "no orders."
            )


# -- exchange rates ---------------------------------------------------------------------------------------------

class ConverterForm(NormalizingMixin, forms.Form):
    currency_fields = ("source", "target")

    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=6, initial=Decimal(100))
    source = forms.CharField(label=_("From"), max_length=3, widget=_code_input(), initial="USD")
    target = forms.CharField(label=_("To"), max_length=3, widget=_code_input())
    date = forms.DateField(label=_("Date"), widget=DateInput())


class ManualRateForm(NormalizingMixin, forms.Form):
    currency_fields = ("base", "quote")

    base = forms.CharField(label=_("From currency"), max_length=3, widget=_code_input())
    quote = forms.CharField(label=_("To currency"), max_length=3, widget=_code_input())
    rate = forms.DecimalField(label=_("Rate"), max_digits=24, decimal_places=12, min_value=Decimal("0.000000000001"),
                              help_text=_("1 unit of the from currency = this many units of the to currency."))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("base") and data.get("base") == data.get("quote"):
            self.add_error("quote", _("Choose two different currencies."))
        return data


class ChartPairForm(NormalizingMixin, forms.Form):
    currency_fields = ("chart_base", "chart_quote")

    chart_base = forms.CharField(label=_("From"), max_length=3, widget=_code_input())
    chart_quote = forms.CharField(label=_("To"), max_length=3, widget=_code_input())
