"""Putting ledger lines into fee categories, and linking them to their orders.

A line's *type* is ``(platform, transaction_type, amount_type, detail)``. ``detail`` is the line's amount
description (``Commission``, ``Current Reserve Amount``) or, for a line with neither amount description nor
order — the Date Range report's ``Service Fee``, ``FBA Inventory Fee``, ``Transfer`` rows — its ``description``
(``Cost of Advertising``, ``FBA Long-Term Storage Fee``); an order line's description is a product title and
says nothing about the money.

A type's category comes from rules ``(transaction_type, amount_type, amount_description, category)`` compared
case-insensitively, where ``""`` matches anything and ``None`` (defaults only) only an empty value. Finance's
:class:`~chuhai.finance.fees.FeeTypeMapping` rows are tried first, then the platform's defaults
(``chuhai/channels/<platform>/fee_types.py``, :mod:`chuhai.finance.providers`); within each, the most specific
rule wins: the one naming the most fields, then the one naming the description, then the amount type. A type no
rule matches is ``unknown`` — kept, counted and listed by :func:`unmapped_types` for someone to map.

Millions of lines have only a few thousand distinct types, so categorising is set-based: one GROUP BY for the
distinct types, each type categorised once in Python, then a few UPDATEs per category.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from chuhai.channels.models import ChannelAccount, Platform

from . import providers
from .fees import FeeCategory, FeeTypeMapping
from .models import LedgerLine

Rule = tuple  # (transaction_type, amount_type, amount_description, category)
#: Length of a type's detail (FeeTypeMapping.amount_description / LedgerLine.amount_description).
DETAIL_LENGTH = 255
#: Types combined into one UPDATE (each adds four conditions; SQLite parses a long OR chain recursively).
TYPES_PER_UPDATE = 100

#: The line's detail, in SQL: see :func:`detail_of`.
DETAIL = Case(
    When(Q(amount_description="") & Q(order_ref=""), then=Substr("description", 1, DETAIL_LENGTH)),
    default=F("amount_description"),
    output_field=CharField(),
)


def detail_of(amount_description: str, order_ref: str, description: str) -> str:
    """The line's detail: its amount description, else (lines of no order only) its description. The same as
    :data:`DETAIL`, for lines not stored yet."""
    if amount_description:
        return amount_description
    return "" if order_ref else description[:DETAIL_LENGTH]


# -- rules ------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def default_rules() -> dict[str, tuple[Rule, ...]]:
    """Every platform's default rules: ``chuhai.channels.<platform>.fee_types`` and the payment providers."""
    rules: dict[str, tuple[Rule, ...]] = {}
    for platform in Platform.values:
        name = f"chuhai.channels.{platform}.fee_types"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, f"chuhai.channels.{platform}"):
                raise
            continue
        rules[platform] = tuple(module.DEFAULT_RULES)
    rules.update({provider: tuple(r) for provider, r in providers.DEFAULT_RULES.items()})
    return rules


def known_platforms() -> list[str]:
    """Platforms a mapping may name: the sales channels and the payment providers."""
    return [*Platform.values, *providers.DEFAULT_RULES]


def _fold(value: str | None) -> str | None:
    return None if value is None else value.strip().casefold()


def _compile(rules: Iterable[Rule]) -> list[tuple[tuple, str]]:
    """Rules as (folded pattern, category), the most specific first, so the first match wins."""
    compiled = []
    for order, (transaction_type, amount_type, description, category) in enumerate(rules):
        pattern = (_fold(transaction_type), _fold(amount_type), _fold(description))
        named = [p != "" for p in pattern]
        compiled.append(((sum(named), named[2], named[1]), order, pattern, str(category)))
    compiled.sort(key=lambda r: (-r[0][0], -r[0][1], -r[0][2], r[1]))
    return [(pattern, category) for _, _, pattern, category in compiled]


def _matches(pattern: tuple, key: tuple) -> bool:
    for wanted, value in zip(pattern, key, strict=True):
        if wanted == "":
            continue
        if wanted is None:
            if value != "":
                return False
        elif wanted != value:
            return False
    return True


def _override_rules(overrides: Iterable) -> dict[str, list[Rule]]:
    by_platform: dict[str, list[Rule]] = defaultdict(list)
    for row in overrides:
        if isinstance(row, tuple):
            platform, *rule = row
        else:
            platform = row.platform
            rule = (row.transaction_type, row.amount_type, row.amount_description, row.category)
        by_platform[platform.strip().lower()].append(tuple(rule))
    return by_platform


class Categoriser:
    """The category of any line type, for one run: finance's mappings read once, each type decided once.

    ``overrides``: FeeTypeMapping rows (or ``(platform, transaction_type, amount_type, amount_description,
    category)`` tuples); ``None`` reads them from the database."""

    def __init__(self, overrides: Iterable | None = None):
        if overrides is None:
            overrides = FeeTypeMapping.objects.all()
        self.overrides = {p: _compile(r) for p, r in _override_rules(overrides).items()}
        self.defaults = {p: _compile(r) for p, r in default_rules().items()}
        self.memo: dict[tuple, str] = {}

    def __call__(self, platform: str, transaction_type: str, amount_type: str, detail: str) -> str:
        key = (platform, transaction_type, amount_type, detail)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._decide(*key)
        return found

    def _decide(self, platform: str, transaction_type: str, amount_type: str, detail: str) -> str:
        folded = (_fold(transaction_type or ""), _fold(amount_type or ""), _fold(detail or ""))
        for table in (self.overrides.get(platform, ()), self.defaults.get(platform, ())):
            for pattern, category in table:
                if _matches(pattern, folded):
                    return category
        return FeeCategory.UNKNOWN.value


def category_of(platform: str, transaction_type: str, amount_type: str, amount_description: str,
                overrides: Iterable | None = None) -> str:
    """The category of one line type (``amount_description`` is the line's detail, see :func:`detail_of`)."""
    return Categoriser(overrides)(platform, transaction_type, amount_type, amount_description)


# -- categorising stored lines ----------------------------------------------------------------------------------

def _platform_accounts() -> dict[str, list[int]]:
    accounts: dict[str, list[int]] = defaultdict(list)
    for pk, platform in ChannelAccount.objects.values_list("pk", "platform"):
        accounts[platform].append(pk)
    return accounts


def categorise_lines(queryset: QuerySet[LedgerLine] | None = None, categoriser: Categoriser | None = None) -> int:
    """Set the category of every line of ``queryset`` (default: all lines); returns how many lines changed.

    One GROUP BY finds the distinct types, each is categorised once, and the lines of all types that share a
    category are updated together, :data:`TYPES_PER_UPDATE` types per statement."""
    qs = LedgerLine.objects.all() if queryset is None else queryset
    categorise = categoriser or Categoriser()
    types = (qs.order_by().annotate(detail=DETAIL)
             .values_list("account__platform", "transaction_type", "amount_type", "detail").distinct())
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for platform, transaction_type, amount_type, detail in types:
        category = categorise(platform, transaction_type, amount_type, detail)
        groups[(category, platform)].append((transaction_type, amount_type, detail))
    accounts = _platform_accounts()
    changed = 0
    for (category, platform), keys in groups.items():
        for start in range(0, len(keys), TYPES_PER_UPDATE):
            match = Q()
            for transaction_type, amount_type, detail in keys[start:start + TYPES_PER_UPDATE]:
                match |= Q(transaction_type=transaction_type, amount_type=amount_type, detail=detail)
            lines = (qs.annotate(detail=DETAIL).filter(match, account_id__in=accounts[platform])
                     .exclude(category=category).values("pk"))
            changed += LedgerLine.objects.filter(pk__in=lines).update(category=category)
    return changed


def lines_of_type(platform: str, transaction_type: str = "", amount_type: str = "",
                  amount_description: str = "") -> QuerySet[LedgerLine]:
    """The lines a mapping's pattern covers ("" = any, compared case-insensitively)."""
    qs = LedgerLine.objects.filter(account__platform=platform)
    if transaction_type:
        qs = qs.filter(transaction_type__iexact=transaction_type)
    if amount_type:
        qs = qs.filter(amount_type__iexact=amount_type)
    if amount_description:
        qs = qs.annotate(detail=DETAIL).filter(detail__iexact=amount_description)
    return qs


# -- orders -----------------------------------------------------------------------------------------------------

def _matching_order():
    from chuhai.orders.models import Order

    return Order.objects.filter(account=OuterRef("account"), external_id=OuterRef("order_ref"))


def link_orders(queryset: QuerySet[LedgerLine] | None = None) -> int:
    """Fill ``order`` on lines that have none, from their account and order id; returns how many were linked.

    One UPDATE with a correlated subquery, filtered on the ledger table itself (no ``id IN (SELECT id …)`` of the
    same table: PostgreSQL plans that as a nested loop when the lines were written in the same, not yet analysed
    transaction, and 20,000 lines then take minutes). A line whose order is not imported yet stays unlinked;
    calling this again after the orders import links it (imports and ``chuhai finance categorise`` do)."""
    qs = LedgerLine.objects.all() if queryset is None else queryset
    return (qs.filter(order__isnull=True).exclude(order_ref="").filter(Exists(_matching_order()))
            .update(order=Subquery(_matching_order().values("pk")[:1])))


# -- what is not mapped -----------------------------------------------------------------------------------------

@dataclass
class UnmappedType:
    """A line type no rule maps: how many lines it has and their total per currency."""

    platform: str
    transaction_type: str
    amount_type: str
    amount_description: str
    lines: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    lines_by_currency: dict[str, int] = field(default_factory=dict)
    last_posted_at: object = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.platform, self.transaction_type, self.amount_type, self.amount_description)


def unmapped_types(platform: str | None = None) -> list[UnmappedType]:
    """The distinct types of the lines categorised ``unknown``, most lines first."""
    qs = LedgerLine.objects.filter(category=FeeCategory.UNKNOWN)
    if platform:
        qs = qs.filter(account__platform=platform)
    rows = (qs.order_by().annotate(detail=DETAIL, platform=F("account__platform"))
            .values("platform", "transaction_type", "amount_type", "detail", "currency")
            .annotate(n=Count("id"), total=Sum("amount"), last=Max("posted_at")))
    found: dict[tuple, UnmappedType] = {}
    for row in rows:
        key = (row["platform"], row["transaction_type"], row["amount_type"], row["detail"])
        item = found.get(key)
        if item is None:
            item = found[key] = UnmappedType(*key)
        item.lines += row["n"]
        item.totals[row["currency"]] = Decimal(row["total"] or 0)
        item.lines_by_currency[row["currency"]] = row["n"]
        if row["last"] is not None and (item.last_posted_at is None or row["last"] > item.last_posted_at):
            item.last_posted_at = row["last"]
    return sorted(found.values(), key=lambda t: (-t.lines, t.key))


# -- finance's mappings -----------------------------------------------------------------------------------------

def _clean(value: str | None, label: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValueError(_("%(field)s is longer than %(limit)s characters.") % {"field": label, "limit": limit})
    return value


def save_mapping(platform: str, transaction_type: str = "", amount_type: str = "", amount_description: str = "",
                 category: str = "", user=None, note: str = "") -> tuple[FeeTypeMapping, int]:
    """Map a line type (``""`` = any) onto a category, or change an existing mapping of the same type, and
    re-categorise the lines it covers. Returns the mapping and how many lines changed category."""
    platform = (platform or "").strip().lower()
    if platform not in known_platforms():
        raise ValueError(_("Unknown platform %(platform)s; choose one of %(choices)s.") % {
            "platform": repr(platform), "choices": ", ".join(known_platforms())})
    transaction_type = _clean(transaction_type, _("Transaction type"), 100)
    amount_type = _clean(amount_type, _("Amount type"), 100)
    amount_description = _clean(amount_description, _("Amount description"), DETAIL_LENGTH)
    note = _clean(note, _("Note"), 300)
    if not (transaction_type or amount_type or amount_description):
        raise ValueError(_("Name at least one of the transaction type, the amount type and the description: a "
                           "mapping of every line of a platform would hide its unknown types."))
    if category not in FeeCategory.values or category == FeeCategory.UNKNOWN:
        raise ValueError(_("Unknown category %(category)s; choose one of %(choices)s.") % {
            "category": repr(category),
            "choices": ", ".join(c for c in FeeCategory.values if c != FeeCategory.UNKNOWN)})
    with transaction.atomic():
        mapping = FeeTypeMapping.objects.select_for_update().filter(
            platform=platform, transaction_type__iexact=transaction_type, amount_type__iexact=amount_type,
            amount_description__iexact=amount_description).first()
        if mapping is None:
            mapping = FeeTypeMapping(platform=platform, created_by=user if getattr(user, "pk", None) else None)
        mapping.transaction_type, mapping.amount_type = transaction_type, amount_type
        mapping.amount_description, mapping.category, mapping.note = amount_description, category, note
        if user is not None and getattr(user, "pk", None):
            mapping._history_user = user
        mapping.save()
        changed = categorise_lines(lines_of_type(platform, transaction_type, amount_type, amount_description))
    return mapping, changed


def delete_mapping(mapping: FeeTypeMapping, user=None) -> int:
    """Remove a mapping; the lines it covered go back to the default (or ``unknown``). Returns lines changed."""
    with transaction.atomic():
        lines = lines_of_type(mapping.platform, mapping.transaction_type, mapping.amount_type,
                              mapping.amount_description)
        if user is not None and getattr(user, "pk", None):
            mapping._history_user = user
        mapping.delete()
        return categorise_lines(lines)


def category_label(category: str) -> str:
    """The category's name in the reader's language ('' for a line not categorised yet)."""
    try:
        return str(FeeCategory(category).label)
    except ValueError:
        return category

