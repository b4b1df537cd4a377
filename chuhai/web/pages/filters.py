"""Filter forms of the list pages: they read the query string and hand clean values to :mod:`.queries`.

An invalid filter (a date like ``2026-13-01``) is shown with its error and ignored; the others still apply.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chuhai.catalog.models import ListingStatus
from chuhai.channels.models import ChannelAccount, Platform
from chuhai.core.countries import normalize_country
from chuhai.inventory.models import WarehouseType
from chuhai.orders.models import OrderStatus

ANY = [("", _("All"))]
YES_NO = ANY + [("yes", _("Yes")), ("no", _("No"))]


class SearchInput(forms.TextInput):
    input_type = "search"


def _search(placeholder) -> forms.CharField:
    return forms.CharField(
        label=_("Search"), required=False, max_length=100,
        widget=SearchInput(attrs={"placeholder": placeholder, "autocomplete": "off"}),
    )


class FilterForm(forms.Form):
    """Unbound-safe: ``values()`` gives the valid filters only, so a bad field never breaks the page."""

    def values(self) -> dict:
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value not in (None, "")}


class ProductFilter(FilterForm):
    q = _search(_("SKU or name"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    active = forms.ChoiceField(label=_("Active"), required=False, choices=YES_NO)
    bundle = forms.ChoiceField(label=_("Bundle"), required=False, choices=YES_NO)

    def __init__(self, *args, categories: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = ANY + [(c, c) for c in categories]


def _account_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Account"), required=False, queryset=ChannelAccount.objects.order_by("code"), empty_label=_("All"),
        to_field_name="code",
    )


class ListingFilter(FilterForm):
    q = _search(_("Channel SKU, ASIN or SKU"))
    account = _account_field()
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(ListingStatus.choices))


class AccountFilter(FilterForm):
    q = _search(_("Code or name"))
    platform = forms.ChoiceField(label=_("Platform"), required=False, choices=ANY + list(Platform.choices))


class WarehouseFilter(FilterForm):
    q = _search(_("Code or name"))
    type = forms.ChoiceField(label=_("Type"), required=False, choices=ANY + list(WarehouseType.choices))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateRangeFilter(FilterForm):
    """``date_from`` / ``date_to`` (both optional, inclusive), refused when the range is reversed."""

    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data


def country_field(label, placeholder: str = "US") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=2,
                           widget=forms.TextInput(attrs={"size": 3, "placeholder": placeholder}))


class MarketFilter(DateRangeFilter):
    """A date range, a channel account, a marketplace and a ship-to country (country codes normalised)."""

    account = _account_field()
    marketplace = country_field(_("Marketplace"))
    ship_country = country_field(_("Ship-to country"), "GB")

    def clean_marketplace(self):
        value = self.cleaned_data["marketplace"]
        return normalize_country(value) if value else ""

    def clean_ship_country(self):
        value = self.cleaned_data["ship_country"]
        return normalize_country(value) if value else ""


class OrderFilter(DateRangeFilter):
    q = _search(_("Order id"))
    account = _account_field()
    status = forms.ChoiceField(label=_("Status"), required=False, choices=ANY + list(OrderStatus.choices))
    ship_country = forms.CharField(
        label=_("Ship-to country"), required=False, max_length=2,
        widget=forms.TextInput(attrs={"placeholder": "US", "size": 3}),
    )
    field_order = ["q", "account", "status", "date_from", "date_to", "ship_country"]

    def clean_ship_country(self):
        value = self.cleaned_data["ship_country"]
        return normalize_country(value) if value else ""
