"""Saving and describing a channel account's allocation rule (where its orders take stock from, what it is shown).

A rule is saved whole: its ordered warehouse steps are replaced in one transaction, so a half-saved order of
preference never reaches the allocator. Every check that a person can fix is reported at once, by field, as a
Django ``ValidationError`` (the page shows each next to its input, the API joins them into one 422 message).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuhai.core.countries import normalize_country

from .channel_rules import AllocationRule, AllocationStep
from .models import Warehouse, WarehouseType

#: Warehouses an order step may name: Amazon's FBA stock is reached through the rule's FBA warehouse instead.
STEP_EXCLUDED_TYPES = (WarehouseType.FBA,)


def parse_countries(countries: str | Iterable[str]) -> list[str]:
    """``"us, ca uk"`` or ``["US", "uk"]`` → ``["US", "CA", "GB"]`` (ISO codes, aliases resolved, no repeats).
    Raises ``ValidationError`` naming every unknown code."""
    items = countries.replace(",", " ").split() if isinstance(countries, str) else [c for c in countries if c]
    codes: list[str] = []
    bad: list[str] = []
    for item in items:
        try:
            code = normalize_country(item)
        except ValidationError:
            bad.append(item.strip())
            continue
        if code not in codes:
            codes.append(code)
    if bad:
        raise ValidationError(_("%(codes)s: not ISO 3166 country codes") % {"codes": ", ".join(bad)})
    return codes


@dataclass(frozen=True)
class Step:
    position: int
    warehouse: Warehouse
    countries: list[str]


def _check_non_negative(errors: dict, field: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        errors.setdefault(field, []).append(_("Enter a whole number of 0 or more."))


def validate(steps: Sequence[tuple[Warehouse, str | Iterable[str]]], fba_warehouse: Warehouse | None,
             safety_buffer: int, ats_percent: int, ats_max: int | None, ats_min: int) -> list[Step]:
    """The steps, numbered 1..n in the given order with their countries normalised, or a ``ValidationError``
    listing every problem by field (``steps``, ``fba_warehouse``, ``ats_percent``...)."""
    errors: dict[str, list[str]] = {}
    checked: list[Step] = []
    seen: set[int] = set()
    for position, (warehouse, countries) in enumerate(steps, start=1):
        if warehouse.type in STEP_EXCLUDED_TYPES:
            errors.setdefault("steps", []).append(
                _("Step %(n)s: %(code)s is an FBA warehouse; choose it as the FBA warehouse instead.")
                % {"n": position, "code": warehouse.code})
        if not warehouse.is_active:
            errors.setdefault("steps", []).append(
                _("Step %(n)s: %(code)s is not active.") % {"n": position, "code": warehouse.code})
        if warehouse.pk in seen:
            errors.setdefault("steps", []).append(
                _("Step %(n)s: %(code)s is already an earlier step.") % {"n": position, "code": warehouse.code})
        seen.add(warehouse.pk)
        try:
            codes = parse_countries(countries)
        except ValidationError as exc:
            errors.setdefault("steps", []).append(_("Step %(n)s: %(error)s") % {"n": position,
                                                                                 "error": exc.messages[0]})
            codes = []
        checked.append(Step(position, warehouse, codes))
    if fba_warehouse is not None and fba_warehouse.type != WarehouseType.FBA:
        errors.setdefault("fba_warehouse", []).append(
            _("%(code)s is not an FBA warehouse.") % {"code": fba_warehouse.code})
    _check_non_negative(errors, "safety_buffer", safety_buffer)
    _check_non_negative(errors, "ats_percent", ats_percent)
    if "ats_percent" not in errors and ats_percent > 100:
        errors["ats_percent"] = [_("Enter a percentage from 0 to 100.")]
    _check_non_negative(errors, "ats_max", ats_max, allow_none=True)
    _check_non_negative(errors, "ats_min", ats_min)
    if errors:
        raise ValidationError(errors)
    return checked


def save_rule(account, steps: Sequence[tuple[Warehouse, str | Iterable[str]]] = (), *, allow_split: bool = False,
              fba_warehouse: Warehouse | None = None, safety_buffer: int = 0, ats_percent: int = 100,
              ats_max: int | None = None, ats_min: int = 0, user=None) -> AllocationRule:
    """Create or replace ``account``'s rule. ``steps`` is the order of preference, ``[(warehouse, countries)]``
    where countries (a list or ``"US CA"``) limit the step to those ship-to countries (empty: any)."""
    checked = validate(steps, fba_warehouse, safety_buffer, ats_percent, ats_max, ats_min)
    with transaction.atomic():
        rule = AllocationRule.objects.select_for_update().filter(account=account).first() or AllocationRule(
            account=account)
        rule.allow_split = bool(allow_split)
        rule.fba_warehouse = fba_warehouse
        rule.safety_buffer = safety_buffer
        rule.ats_percent = ats_percent
        rule.ats_max = ats_max
        rule.ats_min = ats_min
        rule._history_user = user
        rule.save()
        for old in list(rule.steps.all()):
            old._history_user = user
            old.delete()
        for step in checked:
            new = AllocationStep(rule=rule, position=step.position, warehouse=step.warehouse,
                                 countries=" ".join(step.countries))
            new._history_user = user
            new.save()
    return rule


def delete_rule(account, user=None) -> bool:
    """Drop ``account``'s rule, so it falls back to the default (every active non-FBA warehouse, full stock
    shown). False when it had none."""
    rule = AllocationRule.objects.filter(account=account).first()
    if rule is None:
        return False
    with transaction.atomic():
        for step in list(rule.steps.all()):
            step._history_user = user
            step.delete()
        rule._history_user = user
        rule.delete()
    account._state.fields_cache.pop("allocation_rule", None)  # the caller's instance must not see the old rule
    return True


def rule_of(account) -> AllocationRule | None:
    """The account's rule with its steps and warehouses loaded, or None (the default applies)."""
    return (AllocationRule.objects.select_related("account", "fba_warehouse")
            .prefetch_related("steps__warehouse").filter(account=account).first())


def describe(account, rule: AllocationRule | None = None, *, look_up: bool = True) -> dict:
    """The rule as plain data (what the API returns and the page shows); ``is_default`` when there is none.
    ``rule`` saves the look-up when the caller has already loaded it (``look_up=False``: None means none)."""
    if rule is None and look_up:
        rule = rule_of(account)
    defaults = AllocationRule()
    source = rule or defaults
    return {
        "account": account.code,
        "is_default": rule is None,
        "allow_split": source.allow_split,
        "fba_warehouse": source.fba_warehouse.code if rule is not None and rule.fba_warehouse_id else None,
        "safety_buffer": source.safety_buffer,
        "ats_percent": source.ats_percent,
        "ats_max": source.ats_max,
        "ats_min": source.ats_min,
        "steps": [{"position": s.position, "warehouse": s.warehouse.code,
                   "countries": s.countries.replace(",", " ").split()} for s in rule.steps.all()] if rule is not None else [],
        "updated_at": rule.updated_at if rule is not None else None,
    }
