"""The questionnaire as a Django form: every key of the answers' YAML shape (:mod:`chuhai.strategy.answers`), the
ledger's answers prefilled and marked, and the submitted values turned back into that shape.

A value the ledger gave and the seller left as it was is *not* sent as the seller's answer: it is left out, so
:func:`chuhai.strategy.services.run_advice` fills it from the ledger again and the stored advice remembers it
came "from your data". A value the seller changed is the seller's.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _lazy

from chuhai.channels.models import Platform
from chuhai.core.countries import normalize_country
from chuhai.strategy import answers as spec

SUPPLY_CHAIN_NAMES = {"weak": _lazy("Weak"), "average": _lazy("Average"), "strong": _lazy("Strong")}
CATEGORY_NAMES = {"fast_moving": _lazy("Fast-moving, low price (phone stands, storage bags)"),
                  "high_ticket": _lazy("High-ticket, needs trust (e-scooters, premium camera gear)"),
                  "mixed": _lazy("Mixed")}
REPEAT_NAMES = {"low": _lazy("Low"), "medium": _lazy("Medium"), "high": _lazy("High")}
GOAL_NAMES = {"validate_product": _lazy("Validate the product and get first orders"),
              "build_brand": _lazy("Build a brand"),
              "expand_markets": _lazy("Expand into more markets")}
TEAM_NAMES = {"platform_ops": _lazy("Platform operators (listings, ads, account health)"),
              "content_brand": _lazy("Brand and content people (design, copy, social)"),
              "tech_data": _lazy("A tech / data team"),
              "overseas_logistics": _lazy("Someone who knows overseas warehousing and customs")}
EXTRA_CHANNEL_NAMES = {"own_site": _lazy("Own site"), "distribution": _lazy("Distribution / dropshipping")}

#: The answers the ledger can give (chuhai.strategy.evidence.fill_answers), in form order.
LEDGER_KEYS = ("months_selling", "monthly_revenue_cny", "markets", "channels_now")


def _choices(values, names) -> list[tuple[str, str]]:
    return [(v, names.get(v, v)) for v in values]


def channel_choices() -> list[tuple[str, str]]:
    platform_names = dict(Platform.choices)
    return [(c, EXTRA_CHANNEL_NAMES.get(c) or platform_names.get(c, c)) for c in spec.channel_ids()]


def _same(key: str, submitted, ledger) -> bool:
    """Whether the seller left the ledger's answer as it was."""
    if submitted is None or ledger is None:
        return False
    if key in ("markets", "channels_now"):
        return sorted(submitted) == sorted(ledger)
    return Decimal(str(submitted)) == Decimal(str(ledger))


class QuestionnaireForm(forms.Form):
    months_selling = forms.IntegerField(label=_lazy("Months selling"), min_value=0,
                                        help_text=_lazy("0 if you have not started."))
    monthly_revenue_cny = forms.DecimalField(label=_lazy("Monthly revenue (CNY)"), min_value=0, decimal_places=2,
                                             max_digits=16)
    cash_runway_months = forms.IntegerField(
        label=_lazy("Cash runway (months)"), min_value=0,
        help_text=_lazy("How many months the business can survive early losses (000 §5.1)."))
    team_platform_ops = forms.BooleanField(label=TEAM_NAMES["platform_ops"], required=False)
    team_content_brand = forms.BooleanField(label=TEAM_NAMES["content_brand"], required=False)
    team_tech_data = forms.BooleanField(label=TEAM_NAMES["tech_data"], required=False)
    team_overseas_logistics = forms.BooleanField(label=TEAM_NAMES["overseas_logistics"], required=False)
    supply_chain = forms.ChoiceField(label=_lazy("Supply chain"), widget=forms.RadioSelect,
                                     choices=_choices(spec.SUPPLY_CHAIN, SUPPLY_CHAIN_NAMES))
    category_kind = forms.ChoiceField(label=_lazy("Category"), widget=forms.RadioSelect,
                                      choices=_choices(spec.CATEGORY_KINDS, CATEGORY_NAMES))
    category_avg_price_usd = forms.DecimalField(label=_lazy("Average price (USD)"), min_value=0, decimal_places=2,
                                                max_digits=12)
    category_repeat_potential = forms.ChoiceField(label=_lazy("Repeat-purchase potential"),
                                                  widget=forms.RadioSelect,
                                                  choices=_choices(spec.REPEAT_POTENTIAL, REPEAT_NAMES))
    markets = forms.CharField(label=_lazy("Markets"), required=False, max_length=400,
                              help_text=_lazy("Country codes, separated by commas (US, DE, JP)."))
    channels_now = forms.MultipleChoiceField(label=_lazy("Channels you sell on now"), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    goals = forms.MultipleChoiceField(label=_lazy("Goals"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=_choices(spec.GOALS, GOAL_NAMES))

    def __init__(self, *args, prefill: dict | None = None, **kwargs):
        """``prefill``: the answers the ledger gives (YAML shape); those fields start with them and may be left
        empty (the ledger answers them)."""
        self.prefill = prefill or {}
        initial = kwargs.pop("initial", None) or {}
        for key, value in self.prefill.items():
            initial.setdefault(key, ", ".join(value) if key == "markets" else value)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["channels_now"].choices = channel_choices()
        for key in self.prefill:
            if key in self.fields:
                self.fields[key].required = False

    @property
    def from_data(self) -> tuple[str, ...]:
        """The fields prefilled from the ledger (the template marks them "from your data")."""
        return tuple(k for k in LEDGER_KEYS if k in self.prefill)

    def clean_markets(self) -> list[str]:
        codes, bad = [], []
        for part in (self.cleaned_data.get("markets") or "").replace(";", ",").replace(" ", ",").split(","):
            if not part.strip():
                continue
            try:
                codes.append(normalize_country(part))
            except ValidationError:
                bad.append(part.strip())
        if bad:
            raise ValidationError(_lazy("Not a country code: %(codes)s"), params={"codes": ", ".join(bad)})
        return list(dict.fromkeys(codes))

    def partial_answers(self) -> dict:
        """The seller's answers in the YAML shape (call after ``is_valid()``), without the ledger's answers the
        seller left unchanged or empty."""
        data = self.cleaned_data
        answers = {
            "months_selling": data.get("months_selling"),
            "monthly_revenue_cny": None if data.get("monthly_revenue_cny") is None
            else str(data["monthly_revenue_cny"]),
            "cash_runway_months": data["cash_runway_months"],
            "team": {key: bool(data.get(f"team_{key}")) for key in spec.TEAM_KEYS},
            "supply_chain": data["supply_chain"],
            "category": {"kind": data["category_kind"], "avg_price_usd": str(data["category_avg_price_usd"]),
                         "repeat_potential": data["category_repeat_potential"]},
            "markets": data.get("markets") or [],
            "channels_now": list(data.get("channels_now") or []),
            "goals": list(data.get("goals") or []),
        }
        for key in LEDGER_KEYS:
            empty = answers[key] in (None, [])
            if key in self.prefill and (empty or _same(key, answers[key], self.prefill[key])):
                del answers[key]
            elif empty and key in ("months_selling", "monthly_revenue_cny"):
                del answers[key]
        return answers


def initial_from(answers: dict) -> dict:
    """A stored record's answers (YAML shape) as the form's initial values: "advise again from these"."""
    initial = {key: answers.get(key) for key in ("months_selling", "monthly_revenue_cny", "cash_runway_months",
                                                 "supply_chain", "channels_now", "goals")}
    initial["markets"] = ", ".join(answers.get("markets") or [])
    for key in spec.TEAM_KEYS:
        initial[f"team_{key}"] = bool((answers.get("team") or {}).get(key))
    for key in spec.CATEGORY_KEYS:
        initial[f"category_{key}"] = (answers.get("category") or {}).get(key)
    return {k: v for k, v in initial.items() if v is not None}
