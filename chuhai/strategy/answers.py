"""The advisor's questionnaire: what a seller answers about the business (web form, API body or a YAML file for
``chuhai advise --answers FILE.yaml``), checked once, here, into an immutable :class:`Answers`.

The shape (YAML)::

    months_selling: 4              # 0 if not started
    monthly_revenue_cny: 30000
    cash_runway_months: 5          # months the business survives early losses
    team: {platform_ops: true, content_brand: false, tech_data: false, overseas_logistics: false}
    supply_chain: weak|average|strong
    category: {kind: fast_moving|high_ticket|mixed, avg_price_usd: 15, repeat_potential: low|medium|high}
    markets: [US, DE]
    channels_now: [amazon]         # platform ids, own_site, distribution / dropship
    goals: [validate_product, build_brand, expand_markets]

Required: ``months_selling``, ``monthly_revenue_cny``, ``cash_runway_months``, ``supply_chain`` and the whole
``category`` — the rules cannot guess them and a silent default would bend the advice. ``team`` (each flag
defaults to false: nobody does it), ``markets``, ``channels_now`` and ``goals`` (empty) may be left out. The
ledger (:mod:`chuhai.strategy.evidence`) can fill ``months_selling``, ``monthly_revenue_cny``, ``markets`` and
``channels_now`` before parsing.

Why so strict: a typo such as ``suply_chain`` or ``strong-ish`` silently ignored would give advice on answers the
seller never gave. Every unknown key and bad value is an :class:`AnswersError` naming the source, the key path,
the line and column (from a YAML file) and the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

MODELS = ("platform", "own_site", "distribution")
GOALS = ("validate_product", "build_brand", "expand_markets")
SUPPLY_CHAIN = ("weak", "average", "strong")
CATEGORY_KINDS = ("fast_moving", "high_ticket", "mixed")
REPEAT_POTENTIAL = ("low", "medium", "high")
TEAM_KEYS = ("platform_ops", "content_brand", "tech_data", "overseas_logistics")
#: Channel ids besides the platform ids of :class:`chuhai.channels.models.Platform`.
EXTRA_CHANNELS = ("own_site", "distribution")

TOP_KEYS = ("months_selling", "monthly_revenue_cny", "cash_runway_months", "team", "supply_chain", "category",
            "markets", "channels_now", "goals")
CATEGORY_KEYS = ("kind", "avg_price_usd", "repeat_potential")
REQUIRED = ("months_selling", "monthly_revenue_cny", "cash_runway_months", "supply_chain", "category")

#: A key path (("category", "kind"), ("markets", 1)) → (line, column), both 1-based, in the YAML file.
Marks = dict[tuple, tuple[int, int]]


class AnswersError(ValueError):
    """Bad or missing answers; the message names the source, the key path, the place in the file and what is
    allowed."""


def channel_ids() -> tuple[str, ...]:
    """Every value ``channels_now`` accepts: the platform ids and ``own_site`` / ``distribution``."""
    from chuhai.channels.models import Platform

    return (*Platform.values, *EXTRA_CHANNELS)


def model_of_channel(channel: str) -> str:
    """The operating model a channel id belongs to (``shopify`` → own_site, ``dropship`` → distribution)."""
    from chuhai.channels.models import default_model_for

    if channel in EXTRA_CHANNELS:
        return channel
    return str(default_model_for(channel))


def channel_name(channel: str):
    """A channel id as people read it (``amazon`` → Amazon, ``own_site`` → Own site), translatable."""
    from chuhai.channels.models import OperatingModel, Platform

    if channel in Platform.values:
        return Platform(channel).label
    if channel in OperatingModel.values:
        return OperatingModel(channel).label
    return channel


@dataclass(frozen=True)
class Team:
    """Who the seller has: platform operators, brand/content people, a tech/data team, someone who knows
    overseas warehousing and customs (the skills 001 §二 and 000 §5.1 ask about)."""

    platform_ops: bool = False
    content_brand: bool = False
    tech_data: bool = False
    overseas_logistics: bool = False


@dataclass(frozen=True)
class Category:
    kind: str  # fast_moving | high_ticket | mixed
    avg_price_usd: Decimal
    repeat_potential: str  # low | medium | high


@dataclass(frozen=True)
class Answers:
    months_selling: int
    monthly_revenue_cny: Decimal
    cash_runway_months: int
    team: Team
    supply_chain: str  # weak | average | strong
    category: Category
    markets: tuple[str, ...] = ()
    channels_now: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The YAML shape, JSON-serialisable (Decimals as strings); :func:`parse_answers` reads it back."""
        return {
            "months_selling": self.months_selling,
            "monthly_revenue_cny": str(self.monthly_revenue_cny),
            "cash_runway_months": self.cash_runway_months,
            "team": {key: getattr(self.team, key) for key in TEAM_KEYS},
            "supply_chain": self.supply_chain,
            "category": {"kind": self.category.kind, "avg_price_usd": str(self.category.avg_price_usd),
                         "repeat_potential": self.category.repeat_potential},
            "markets": list(self.markets),
            "channels_now": list(self.channels_now),
            "goals": list(self.goals),
        }

    @property
    def models_now(self) -> frozenset[str]:
        """The operating models of the channels used now."""
        return frozenset(model_of_channel(c) for c in self.channels_now)

    @property
    def platforms_now(self) -> tuple[str, ...]:
        """The channels now used that are marketplaces (the platform model)."""
        return tuple(c for c in self.channels_now if model_of_channel(c) == "platform")


# -- parsing --------------------------------------------------------------------------------------------------------

class _Reader:
    """Reads one mapping, raising :class:`AnswersError` with the place of the offending key or value."""

    def __init__(self, source: str, marks: Marks | None):
        self.source = source
        self.marks = marks or {}

    def fail(self, path: tuple, message: str) -> AnswersError:
        where = self.source
        mark = self.marks.get(path)
        if mark is None:  # a missing key: point at the mapping that lacks it
            parent = path[:-1]
            while parent and parent not in self.marks:
                parent = parent[:-1]
            mark = self.marks.get(parent)
        if mark is not None:
            where = _("%(source)s, line %(line)d, column %(column)d") % {
                "source": self.source, "line": mark[0], "column": mark[1]}
        name = ".".join(str(p) for p in path) if path else _("(top level)")
        return AnswersError(f"{where}: {name}: {message}")

    def mapping(self, value: Any, path: tuple, keys: tuple[str, ...]) -> Mapping:
        if not isinstance(value, Mapping):
            raise self.fail(path, _("expected a mapping of %(keys)s") % {"keys": ", ".join(keys)})
        for key in value:
            if key not in keys:
                raise self.fail((*path, key),
                                _("unknown key %(key)r; allowed keys: %(keys)s") % {
                                    "key": str(key), "keys": ", ".join(keys)})
        return value

    def required(self, data: Mapping, path: tuple, key: str) -> Any:
        if key not in data or data[key] is None:
            raise self.fail((*path, key), _("missing; this answer is required"))
        return data[key]

    def whole(self, value: Any, path: tuple) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(path, _("%(value)r is not a whole number of months (0 or more)") % {"value": value})
        try:
            number = int(str(value).strip())
        except ValueError:
            raise self.fail(path, _("%(value)r is not a whole number of months (0 or more)") % {
                "value": value}) from None
        if number < 0:
            raise self.fail(path, _("%(value)r is not a whole number of months (0 or more)") % {"value": value})
        return number

    def amount(self, value: Any, path: tuple) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise self.fail(path, _("%(value)r is not an amount (a number, 0 or more)") % {"value": value})
        try:
            number = Decimal(str(value).strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            raise self.fail(path, _("%(value)r is not an amount (a number, 0 or more)") % {
                "value": value}) from None
        if not number.is_finite() or number < 0:
            raise self.fail(path, _("%(value)r is not an amount (a number, 0 or more)") % {"value": value})
        return number

    def choice(self, value: Any, path: tuple, allowed: tuple[str, ...]) -> str:
        text = value.strip().lower() if isinstance(value, str) else value
        if text not in allowed:
            raise self.fail(path, _("%(value)r is not allowed; allowed values: %(allowed)s") % {
                "value": value, "allowed": ", ".join(allowed)})
        return text

    def flag(self, value: Any, path: tuple) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, _("%(value)r is not allowed; allowed values: true, false") % {"value": value})
        return value

    def items(self, value: Any, path: tuple) -> list:
        """A list, or a comma-separated string (a form field)."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            raise self.fail(path, _("expected a list"))
        return list(value)


def parse_answers(data: Mapping, *, source: str = "answers", marks: Marks | None = None) -> Answers:
    """Check ``data`` (the YAML shape) and return the :class:`Answers`; :class:`AnswersError` otherwise.

    ``marks`` (from :func:`load_answers`) adds the line and column of the offending key or value."""
    from chuhai.core.countries import normalize_country

    read = _Reader(source, marks)
    data = read.mapping(data, (), TOP_KEYS)
    for key in REQUIRED:
        read.required(data, (), key)

    team_data = data.get("team") or {}
    read.mapping(team_data, ("team",), TEAM_KEYS)
    team = Team(**{key: read.flag(team_data[key], ("team", key)) for key in TEAM_KEYS if key in team_data})

    cat = read.mapping(data["category"], ("category",), CATEGORY_KEYS)
    category = Category(
        kind=read.choice(read.required(cat, ("category",), "kind"), ("category", "kind"), CATEGORY_KINDS),
        avg_price_usd=read.amount(read.required(cat, ("category",), "avg_price_usd"),
                                  ("category", "avg_price_usd")),
        repeat_potential=read.choice(read.required(cat, ("category",), "repeat_potential"),
                                     ("category", "repeat_potential"), REPEAT_POTENTIAL))

    markets = []
    for i, code in enumerate(read.items(data.get("markets") or [], ("markets",))):
        try:
            markets.append(normalize_country(str(code)))
        except Exception:  # ValidationError: not a country
            raise read.fail(("markets", i), _("%(value)r is not an ISO 3166 country code (US, DE, JP…)") % {
                "value": code}) from None
    allowed_channels = channel_ids()
    channels = [read.choice(c, ("channels_now", i), allowed_channels)
                for i, c in enumerate(read.items(data.get("channels_now") or [], ("channels_now",)))]
    goals = [read.choice(g, ("goals", i), GOALS)
             for i, g in enumerate(read.items(data.get("goals") or [], ("goals",)))]

    return Answers(
        months_selling=read.whole(data["months_selling"], ("months_selling",)),
        monthly_revenue_cny=read.amount(data["monthly_revenue_cny"], ("monthly_revenue_cny",)),
        cash_runway_months=read.whole(data["cash_runway_months"], ("cash_runway_months",)),
        team=team,
        supply_chain=read.choice(data["supply_chain"], ("supply_chain",), SUPPLY_CHAIN),
        category=category,
        markets=tuple(dict.fromkeys(markets)),
        channels_now=tuple(dict.fromkeys(channels)),
        goals=tuple(dict.fromkeys(goals)),
    )


# -- YAML -----------------------------------------------------------------------------------------------------------

def _marks(node, path: tuple, marks: Marks) -> None:
    """Record the 1-based (line, column) of every value under ``node``; for mapping keys the key's place (an
    unknown key is reported where it is typed, a bad value where the value is)."""
    import yaml

    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            _marks(value_node, child, marks)
            if isinstance(value_node, yaml.MappingNode | yaml.SequenceNode) or value_node.value in ("", None):
                marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _marks(item, (*path, i), marks)


def read_answers_file(path: str | Path) -> tuple[dict, Marks]:
    """The raw mapping of a YAML answers file and the place of each key (for the ledger to fill before
    :func:`parse_answers`). :class:`AnswersError` for an unreadable file or bad YAML."""
    import yaml

    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise AnswersError(_("%(source)s: cannot read the file: %(error)s") % {
            "source": source, "error": exc.strerror or exc}) from None
    except UnicodeDecodeError:
        raise AnswersError(_("%(source)s: the file is not UTF-8 text") % {"source": source}) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is not None:
            raise AnswersError(_("%(source)s, line %(line)d, column %(column)d: invalid YAML: %(problem)s") % {
                "source": source, "line": mark.line + 1, "column": mark.column + 1, "problem": problem}) from None
        raise AnswersError(_("%(source)s: invalid YAML: %(problem)s") % {"source": source, "problem": problem}) \
            from None
    marks: Marks = {}
    if node is not None:
        _marks(node, (), marks)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AnswersError(_("%(source)s: expected a mapping of %(keys)s") % {
            "source": source, "keys": ", ".join(TOP_KEYS)})
    return data, marks


def load_answers(path: str | Path) -> Answers:
    """Read and check a YAML answers file."""
    data, marks = read_answers_file(path)
    return parse_answers(data, source=str(path), marks=marks)
