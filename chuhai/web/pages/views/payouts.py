"""Payouts received (finance): the list with filters, totals, CSV / Excel export and a monthly FX gain / loss chart,
and the form to record one. The service (:mod:`chuhai.finance.payout_fx`) computes the book value and the gain."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import CharField, Value
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chuhai.channels.models import ChannelAccount
from chuhai.core.exports import DATE, MONEY, Column, TableSpec, money_text
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import FxRateMissing
from chuhai.finance.models import Settlement
from chuhai.finance.payout_fx import fee_in_base, fx_summary, receipts, record_payout
from chuhai.finance.payouts import PayoutProvider

from ..filters import ANY, DateInput, FilterForm
from ..forms import NormalizingMixin, add_service_errors
from ..tables import table_response

VIEW_PERM = "finance.access_finance"
ADD_PERM = "finance.add_payoutreceipt"


def _base(row) -> str:
    return row.base_currency  # annotated by the list view (the company's base currency)


SPEC = TableSpec("payouts", (
    Column("received_on", _lazy("Received on"), lambda r: r.received_on, kind=DATE),
    Column("account", _lazy("Account"), lambda r: r.account.code, code=True),
    Column("provider", _lazy("Received through"), lambda r: r.provider, display=lambda r: r.get_provider_display()),
    Column("reference", _lazy("Reference"), lambda r: r.reference, code=True),
    Column("settlement", _lazy("Settlement"), lambda r: r.settlement.settlement_id if r.settlement_id else "",
           code=True),
    Column("amount", _lazy("Amount received"), lambda r: r.amount, kind=MONEY, currency=lambda r: r.currency),
    Column("fee", _lazy("Provider fee"), lambda r: r.fee, kind=MONEY, currency=lambda r: r.currency),
    Column("currency", _lazy("Currency"), lambda r: r.currency, code=True),
    Column("received_base", _lazy("Received (gross, base currency)"), lambda r: r.base_amount, kind=MONEY,
           currency=_base),
    Column("fee_base", _lazy("Fee (base currency)"), fee_in_base, kind=MONEY, currency=_base),
    Column("book", _lazy("Book value"), lambda r: r.book_amount, kind=MONEY, currency=_base),
    Column("fx_gain", _lazy("FX gain / loss"), lambda r: r.fx_gain, kind=MONEY, currency=_base),
    Column("base_currency", _lazy("Base currency"), _base, code=True),
    Column("note", _lazy("Note"), lambda r: r.note),
))


class PayoutFilter(FilterForm):
    date_from = forms.DateField(label=_lazy("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_lazy("To"), required=False, widget=DateInput())
    account = forms.ModelChoiceField(label=_lazy("Account"), required=False, to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"), empty_label=_lazy("All"),
                                     widget=forms.Select(attrs={"data-autosubmit": ""}))
    provider = forms.ChoiceField(label=_lazy("Received through"), required=False,
                                 choices=ANY + list(PayoutProvider.choices),
                                 widget=forms.Select(attrs={"data-autosubmit": ""}))


def _chart(summary) -> dict:
    """Monthly FX gain / loss bars (gains and losses coloured apart); the exact figures are in the table."""
    return {
        "grid": {"left": 8, "right": 16, "top": 24, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "category", "data": [month for month, _gain in summary.monthly]},
        "yAxis": {"type": "value"},
        "series": [{
            "id": "fx-gain",
            "name": str(_("FX gain / loss")),
            "type": "bar",
            "data": [{"value": float(gain), "itemStyle": {"color": "#10b981" if gain >= 0 else "#ef4444"}}
                     for _month, gain in summary.monthly],
        }],
    }


@permission_required(VIEW_PERM, raise_exception=True)
def payout_list(request):
    filters = PayoutFilter(request.GET)
    values = filters.values()
    base = CompanySettings.load().base_currency
    summary = fx_summary(**values)
    total = summary.total
    return table_response(
        request, spec=SPEC, queryset=receipts(**values).annotate(base_currency=Value(base, output_field=CharField())), template="web/pages/payouts.html",
        context={
            "title": _("Payouts received"),
            "filter_form": filters,
            "create_url": reverse("payout-create") if request.user.has_perm(ADD_PERM) else None,
            "summary": summary,
            "totals": {
                "received": money_text(total.received, base), "book": money_text(total.book, base),
                "fees": money_text(total.fees, base), "gain": money_text(total.gain, base),
                "gain_negative": total.gain < 0, "payouts": total.payouts,
                "without_settlement": total.without_settlement,
            },
            "groups": [{"account": g.account, "provider": PayoutProvider(g.provider).label, "payouts": g.payouts,
                        "received": money_text(g.received, base), "fees": money_text(g.fees, base),
                        # no settlement, no book value: shown as a dash rather than a made-up zero
                        "book": money_text(g.book, base) if g.payouts > g.without_settlement else "",
                        "gain": money_text(g.gain, base) if g.payouts > g.without_settlement else ""}
                       for g in summary.rows],
            "chart": _chart(summary) if summary.monthly else None,
            "base_currency": base,
        },
    )


class PayoutForm(NormalizingMixin, forms.Form):
    currency_fields = ("currency",)

    account = forms.ModelChoiceField(label=_lazy("Channel account"), to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"), widget=forms.HiddenInput)
    provider = forms.ChoiceField(label=_lazy("Received through"), choices=PayoutProvider.choices,
                                 initial=PayoutProvider.PINGPONG)
    reference = forms.CharField(label=_lazy("Reference"), max_length=100,
                                help_text=_lazy("The provider's transaction id: the same id is never entered twice."))
    received_on = forms.DateField(label=_lazy("Received on"), widget=DateInput(), initial=timezone.localdate)
    amount = forms.DecimalField(label=_lazy("Amount received"), max_digits=20, decimal_places=6,
                                help_text=_lazy("What reached the account, after the provider's fee."))
    currency = forms.CharField(label=_lazy("Currency received"), max_length=3, initial="CNY",
                               widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}))
    fee = forms.DecimalField(label=_lazy("Provider fee"), max_digits=20, decimal_places=6, initial=0, required=False,
                             help_text=_lazy("Withdrawal fee, in the currency received. The gain is computed on the "
                                             "gross (amount + fee); the fee is a cost of its own."))
    settlement = forms.ModelChoiceField(label=_lazy("Settlement"), required=False, queryset=Settlement.objects.none(),
                                        empty_label=_lazy("None (no book value, no FX gain)"))
    note = forms.CharField(label=_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, account: ChannelAccount | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:
            self.fields["settlement"].queryset = Settlement.objects.filter(
                account=account, receipts__isnull=True).order_by("-deposit_at", "-end_at", "-id")
            self.fields["settlement"].label_from_instance = lambda s: " · ".join(filter(None, [
                s.settlement_id, s.deposit_at.date().isoformat() if s.deposit_at else "",
                money_text(s.total_amount, s.currency) if s.total_amount is not None else ""]))


class AccountChoice(forms.Form):
    account = forms.ModelChoiceField(label=_lazy("Channel account"), to_field_name="code",
                                     queryset=ChannelAccount.objects.order_by("code"),
                                     widget=forms.Select(attrs={"data-autosubmit": ""}))


@permission_required(ADD_PERM, raise_exception=True)
def payout_create(request):
    code = request.POST.get("account") if request.method == "POST" else request.GET.get("account")
    account = ChannelAccount.objects.filter(code=code).first() if code else None
    chooser = AccountChoice(initial={"account": account.code if account else None})
    if request.method == "POST":
        form = PayoutForm(request.POST, account=account)
        if form.is_valid():
            data = form.cleaned_data
            try:
                receipt = record_payout(data["account"], data["provider"], data["reference"], data["received_on"],
                                        data["amount"], data["currency"], fee=data["fee"] or 0,
                                        settlement=data["settlement"], note=data["note"], user=request.user)
            except (ValidationError, FxRateMissing) as exc:
                add_service_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                base = CompanySettings.load().base_currency
                if receipt.fx_gain is None:
                    messages.success(request, _("Payout %(reference)s recorded.") % {"reference": receipt.reference})
                else:
                    messages.success(request, _("Payout %(reference)s recorded: FX gain / loss %(gain)s.") % {
                        "reference": receipt.reference, "gain": money_text(receipt.fx_gain, base)})
                return redirect("payouts")
        messages.error(request, _("Please correct the errors below."))
    else:
        form = PayoutForm(account=account, initial={"account": account.code if account else None,
                                                     "currency": CompanySettings.load().base_currency})
    return render(request, "web/pages/payout_form.html", {
        "title": _("Record a payout"), "form": form, "chooser": chooser, "account": account,
        "cancel_url": reverse("payouts"),
    })
