"""Exchange rates (finance): a converter, the seller's own rates with a form to add one, and an ECB rate chart."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.core.exports import decimal_text, money_text
from chuhai.core.models import CompanySettings
from chuhai.finance.fx import FxConverter, FxRateMissing, ecb_pair_series, set_manual_rate

from .. import queries, specs
from ..forms import ChartPairForm, ConverterForm, ManualRateForm, add_service_errors
from ..fx_chart import chart_option
from ..tables import table_response


def _converter(request, base_currency: str):
    """The converter form and its result (``None`` until asked, or an error message for a missing rate)."""
    if "amount" not in request.GET:
        form = ConverterForm(initial={"target": base_currency, "date": timezone.localdate()})
        return form, None, None
    form = ConverterForm(request.GET)
    if not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    try:
        quote = FxConverter().quote(data["source"], data["target"], data["date"])
    except FxRateMissing as exc:
        return form, None, str(exc)
    converted = data["amount"] * quote.rate
    return form, {
        "quote": quote,
        "amount": money_text(data["amount"], quote.base),
        "converted": money_text(converted, quote.quote),
        "rate": decimal_text(quote.rate),
    }, None


def _chart(request, base_currency: str):
    default_base = "USD" if base_currency != "USD" else "EUR"
    form = ChartPairForm(request.GET if "chart_base" in request.GET else None,
                         initial={"chart_base": default_base, "chart_quote": base_currency})
    base, quote = default_base, base_currency
    if form.is_bound and form.is_valid():
        base, quote = form.cleaned_data["chart_base"], form.cleaned_data["chart_quote"]
    points = ecb_pair_series(base, quote)
    return form, {"base": base, "quote": quote, "points": points, "option": chart_option(base, quote, points)}


@permission_required("finance.access_finance", raise_exception=True)
def fx_page(request):
    can_add = request.user.has_perm("finance.add_manualfxrate")
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        rate_form = ManualRateForm(request.POST)
        if rate_form.is_valid():
            data = rate_form.cleaned_data
            try:
                set_manual_rate(data["base"], data["quote"], data["rate"], data["valid_from"], data["note"],
                                user=request.user)
            except (ValidationError, ValueError) as exc:
                add_service_errors(rate_form, exc)
            else:
                messages.success(request, _("Rate saved: 1 %(base)s = %(rate)s %(quote)s from %(day)s.") % {
                    "base": data["base"], "quote": data["quote"], "rate": decimal_text(data["rate"]),
                    "day": data["valid_from"].isoformat()})
                return redirect("fx")
        messages.error(request, _("Please correct the errors below."))
    else:
        rate_form = ManualRateForm()
    base_currency = CompanySettings.load().base_currency
    converter_form, result, missing = _converter(request, base_currency)
    chart_form, chart = _chart(request, base_currency)
    return table_response(
        request, spec=specs.MANUAL_RATES, queryset=queries.manual_rates(), template="web/pages/fx.html",
        context={
            "title": _("Exchange rates"),
            "converter_form": converter_form,
            "result": result,
            "missing_rate": missing,
            "rate_form": rate_form if can_add else None,
            "chart_form": chart_form,
            "chart": chart,
            "empty_text": _("No rates of your own yet."),
        },
    )
