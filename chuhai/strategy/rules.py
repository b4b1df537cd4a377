"""The advisor's rules: the seed articles' decision framework as small, separately testable functions.

Every rule has an id, the article section it comes from, a one-line description (for the "rules behind it"
list) and a function that reads the :class:`Facts` and returns a :class:`Finding` when it fires, None when not.
A finding may carry a reason (shown with the advice), an *effect* (weight points added to or taken from the
operating models, see :mod:`chuhai.strategy.engine`), risks and 90-day plan steps.

Rules run in two phases: :data:`WEIGHTS` rules decide the mix; :data:`AFTER_MIX` rules read the mix and the
primary model (the hybrid conflict rules: they apply when a platform and the own site both carry weight).

Sections cited (seeds in /work/shared/seeds, digest in /work/shared/reference/seeds-digest.md):
001 §二 (stage and resource framework), 001 §一.3/§一.4 (distribution, hybrid), 001 §三 (what each model runs on),
001 FAQ Q1/Q3/Q4, 000 §4.3 (category fit), 000 §5.1 (readiness), 000 §5.2 (when to switch), 000 §5.3 (hybrid
playbook), 004 §1.2 (stages, KPIs, traps), 004 §1.3 (capability map), 004 §2.3.3 (single-platform risk).
The seeds give no numbers for most conditions; thresholds marked "our choice" are ours.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuhai.analytics.stage import GROWTH, SCALE, STABLE, STAGE_NAMES, STAGE_TRAPS, SURVIVAL

from .answers import MODELS, Answers, channel_name, model_of_channel

PLATFORM, OWN_SITE, DISTRIBUTION = MODELS
HYBRID = "hybrid"
#: The three periods of the 90-day plan.
DAYS = ("0–30", "31–60", "61–90")
FIRST, SECOND, THIRD = DAYS
HIGH, MEDIUM, LOW = "high", "medium", "low"
#: Rule phases: WEIGHTS rules decide the mix, AFTER_MIX rules read it.
WEIGHTS, AFTER_MIX = "weights", "mix"

# -- thresholds -----------------------------------------------------------------------------------------------------
#: Our choice: under 6 months of runway is "资金实力薄弱" (weak capital, 001 §二); it is also the growth trap's
#: line (004 §1.2: expanding until the cash runs out).
WEAK_CAPITAL_RUNWAY_MONTHS = 6
#: Our choice for 000 §5.1's "enough cash to survive the early losses" of self-operating: the author's own site
#: lost money through its whole first year ("第一年亏了快三十万"), so a year of runway.
READY_RUNWAY_MONTHS = 12
#: Our choice: 000 §4.3's platform goods (phone stands, storage bags, silicone cup sleeves) sell well under US$30.
LOW_PRICE_USD = Decimal("30")
#: Our choice: 000 §4.3's own-site goods (e-scooters, premium camera gear, a ¥2,000 ≈ US$280 smart helmet) sit well
#: above US$100.
HIGH_TICKET_USD = Decimal("100")
#: Our choice (004 §2.3.3 warns of "过度依赖单一平台" without a figure): one platform above 70 % of net sales.
DEPENDENCY_SHARE = Decimal("0.70")
#: Our choice for 000 §5.2's "利润空间被压缩" (squeezed margins): a margin under 15 % of net sales.
MARGIN_SQUEEZE_PERCENT = Decimal("15")
#: Our choice for 000 §5.2's platform rule changes and rising costs showing in sales: 10 % down over 3 months.
SALES_FALLING_PERCENT = Decimal("-10")
#: Our choice on 004 §1.3's 1–5 capability map: 1–2 is a weak spot, 4–5 a strength.
WEAK_SCORE, STRONG_SCORE = 2, 4
#: Our choice: a model with at least a quarter of the mix is "in use" for the hybrid conflict rules.
SUBSTANTIAL_WEIGHT = Decimal("0.25")


# -- the pieces a rule returns --------------------------------------------------------------------------------------

def _render(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


@dataclass(frozen=True)
class Text:
    """A translatable message and its parameters, rendered in the active language when shown (``str()``)."""

    message: Any
    params: Mapping = field(default_factory=dict)

    def __str__(self) -> str:
        text = str(self.message)
        return text % {k: _render(v) for k, v in self.params.items()} if self.params else text


@dataclass(frozen=True)
class Finding:
    """What a fired rule says: a reason (None: it only adds risks or steps), weight points per model, risks as
    (level, text) and plan steps as (days, text)."""

    text: Text | None = None
    effect: Mapping[str, int] = field(default_factory=dict)
    risks: tuple[tuple[str, Text], ...] = ()
    steps: tuple[tuple[str, Text], ...] = ()


@dataclass
class Facts:
    """What the rules read: the answers, the stage (from the ledger when there is evidence), the ledger's
    evidence (:class:`chuhai.strategy.evidence.Evidence`) and the capability self-assessment, both optional;
    for :data:`AFTER_MIX` rules also the mix and the primary model."""

    answers: Answers
    stage: str
    evidence: Any = None
    capability: Any = None
    mix: Mapping[str, Decimal] | None = None
    primary: str | None = None

    def score(self, name: str) -> int | None:
        """A capability score (1–5) from a CapabilityAssessment or a mapping; None without an assessment."""
        if self.capability is None:
            return None
        value = (self.capability.get(name) if isinstance(self.capability, Mapping)
                 else getattr(self.capability, name, None))
        return None if value is None else int(value)

    def ledger(self, name: str) -> Any:
        return None if self.evidence is None else getattr(self.evidence, name, None)


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    description: Any
    check: Callable[[Facts], Finding | None]
    phase: str = WEIGHTS

    def __call__(self, facts: Facts) -> Finding | None:
        return self.check(facts)


RULES: list[Rule] = []


def rule(id: str, source: str, description: Any, phase: str = WEIGHTS):
    """Register the decorated function as a rule (in evaluation and display order)."""

    def register(check: Callable[[Facts], Finding | None]) -> Rule:
        made = Rule(id, source, description, check, phase)
        RULES.append(made)
        return made

    return register


def by_id(rule_id: str) -> Rule:
    return next(r for r in RULES if r.id == rule_id)


# -- stage: 001 §二 (and where the stage comes from, 004 §1.2) ----------------------------------------------------

@rule("stage_from_ledger", "004 §1.2", _("With ledger evidence, the stage is the ledger's (inferred or set by "
                                         "you), not the months answered."))
def stage_from_ledger(f: Facts) -> Finding | None:
    """The ledger's stage (chuhai.analytics.stage: inferred from the orders, or the seller's override) describes the
    business better than a months figure typed into a form, so it wins."""
    if f.evidence is None:
        return None
    return Finding(Text(_("Stage %(stage)s comes from your ledger (the answers say %(months)d months selling)."),
                        {"stage": STAGE_NAMES.get(f.stage, f.stage), "months": f.answers.months_selling}))


@rule("stage_startup", "001 §二", _("Startup (0→1, survival stage): platform first, dropshipping as a "
                                    "supplement; no heavy spending on an own site."))
def stage_startup(f: Facts) -> Finding | None:
    """001 §二 初创期: 以"平台模式为主,一件代发为辅" — validate product–market fit and make the first sales at the
    lowest cost; 此时不宜在独立站上投入重金."""
    if f.stage != SURVIVAL:
        return None
    return Finding(Text(_("Startup stage (0→1): sell on a platform first with dropshipping as a supplement, to "
                          "validate product–market fit at the lowest cost; do not spend heavily on an own site "
                          "yet.")),
                   {PLATFORM: 40, DISTRIBUTION: 15, OWN_SITE: -10})


@rule("stage_growth", "001 §二", _("Growth (1→10): platform plus own site — move the platform's proven "
                                   "best-sellers to the site."))
def stage_growth(f: Facts) -> Finding | None:
    """001 §二 成长期: 启动"平台+独立站"双轨制 — bring the best-sellers the platform proved to the site, drive site
    traffic with Google ads and social media, start the brand and private traffic."""
    if f.stage != GROWTH:
        return None
    return Finding(Text(_("Growth stage (1→10): run platform and own site side by side; move the best-sellers "
                          "the platform proved to the site and start building the brand and private traffic.")),
                   {PLATFORM: 25, OWN_SITE: 25},
                   steps=((SECOND, Text(_("Move your proven platform best-sellers to the own site and drive "
                                          "traffic to them with Google ads and social media."))),))


@rule("stage_mature", "001 §二", _("Mature (10→100, stable or scale stage): a hybrid matrix with the own site "
                                   "as brand core and profit centre."))
def stage_mature(f: Facts) -> Finding | None:
    """001 §二 成熟期: 建立"混合模式矩阵" — the site becomes the brand core and profit centre, platforms stay a
    major channel, offline distribution and emerging local platforms are added."""
    if f.stage not in (STABLE, SCALE):
        return None
    return Finding(Text(_("Mature stage (10→100): a hybrid matrix — the own site as brand core and profit centre, "
                          "platforms as a major sales channel, distribution for new regions.")),
                   {PLATFORM: 20, OWN_SITE: 30, DISTRIBUTION: 15},
                   steps=((THIRD, Text(_("Test offline distribution or an emerging local platform in one "
                                         "market."))),))


# -- resources: 001 §二 -------------------------------------------------------------------------------------------

@rule("weak_capital", "001 §二", Text(_("Weak capital (under %(months)d months of runway): platform or "
                                        "dropshipping, to limit stock and cash risk."),
                                      {"months": WEAK_CAPITAL_RUNWAY_MONTHS}))
def weak_capital(f: Facts) -> Finding | None:
    """001 §二 资金实力薄弱: 优先选择平台模式或一件代发,控制库存和现金流风险."""
    if f.answers.cash_runway_months >= WEAK_CAPITAL_RUNWAY_MONTHS:
        return None
    return Finding(Text(_("Weak capital (%(months)d months of runway): prefer a platform or dropshipping to keep "
                          "stock and cash risk under control."), {"months": f.answers.cash_runway_months}),
                   {PLATFORM: 15, DISTRIBUTION: 15, OWN_SITE: -10})


@rule("strong_supply_chain", "001 §二", _("Strong supply chain and products: platform for fast volume, plus "
                                          "small-B distribution."))
def strong_supply_chain(f: Facts) -> Finding | None:
    """001 §二 供应链强大,产品有优势: 适合平台模式快速放量,同时可发展小B端的分销业务."""
    if f.answers.supply_chain != "strong":
        return None
    return Finding(Text(_("Strong supply chain: use platforms for fast volume and add distribution to small "
                          "business buyers.")),
                   {PLATFORM: 15, DISTRIBUTION: 10},
                   steps=((THIRD, Text(_("Offer small business buyers (small-B distributors) a wholesale price "
                                         "list."))),))


@rule("brand_content_team", "001 §二", _("Strong brand design and content: develop the own site (brand "
                                         "premium)."))
def brand_content_team(f: Facts) -> Finding | None:
    """001 §二 品牌设计、内容营销能力强: 应重点发展独立站模式,将能力转化为品牌溢价."""
    if not f.answers.team.content_brand:
        return None
    return Finding(Text(_("A brand and content team: develop the own site and turn that skill into a brand "
                          "premium.")), {OWN_SITE: 20})


@rule("tech_data_team", "001 §二", _("Strong tech and data team: the own site (fine-grained user operations)."))
def tech_data_team(f: Facts) -> Finding | None:
    """001 §二 团队技术、数据运营能力强: 独立站模式能最大化发挥技术优势,实现精细化用户运营."""
    if not f.answers.team.tech_data:
        return None
    return Finding(Text(_("A tech and data team: the own site makes the most of it with fine-grained user "
                          "operations.")), {OWN_SITE: 15})


# -- readiness to self-operate: 000 §5.1 --------------------------------------------------------------------------

READINESS_POINTS = 7


@rule("readiness", "000 §5.1", _("Three questions before self-operating: cash to survive the early losses, "
                                 "overseas warehousing and customs know-how, fast reaction to customer feedback."))
def readiness(f: Facts) -> Finding | None:
    """000 §5.1: 有没有足够的现金流撑过前期亏损?有没有人懂海外仓储和清关?能不能快速响应用户反馈?如果答案都是"不一定",
    那就别急着砸钱建仓库、搞品牌. Each "no" takes own-site weight away and adds a first-month step; fast feedback
    is our reading of the team answers: someone runs the shop day to day or the content (platform_ops or
    content_brand)."""
    a = f.answers
    gaps = []
    if a.cash_runway_months < READY_RUNWAY_MONTHS:
        gaps.append((_("cash for the early losses"),
                     Text(_("Build up %(months)d months of cash runway before self-operating; the early losses of "
                            "an own site last about a year."), {"months": READY_RUNWAY_MONTHS})))
    if not a.team.overseas_logistics:
        gaps.append((_("overseas warehousing and customs know-how"),
                     Text(_("Find someone who knows overseas warehousing and customs (a hire or a 3PL partner) "
                            "before shipping your own orders abroad."))))
    if not (a.team.platform_ops or a.team.content_brand):
        gaps.append((_("fast reaction to customer feedback"),
                     Text(_("Name who answers customer messages and reviews within a day."))))
    if not gaps:
        return None
    missing = [name for name, _step in gaps]
    if len(gaps) == 3:
        text = Text(_("Not ready to self-operate: none of the three readiness questions is answered yes "
                      "(%(missing)s) — don't put money into an own site yet."), {"missing": missing})
    else:
        text = Text(_("Readiness to self-operate is incomplete: %(missing)s."), {"missing": missing})
    return Finding(text, {OWN_SITE: -READINESS_POINTS * len(gaps)},
                   steps=tuple((FIRST, step) for _name, step in gaps))


# -- category fit: 000 §4.3 ---------------------------------------------------------------------------------------

@rule("category_fast_moving", "000 §4.3", _("Fast-moving, low-price goods with short decisions suit platforms."))
def category_fast_moving(f: Facts) -> Finding | None:
    """000 §4.3: 快消品走平台更合适 — 单价低、周转快、用户决策链短,适合靠流量冲量."""
    c = f.answers.category
    if c.kind != "fast_moving" or c.avg_price_usd > LOW_PRICE_USD:
        return None
    return Finding(Text(_("Fast-moving goods at US$%(price)s: cheap, quick to decide on, sold by platform "
                          "traffic."), {"price": c.avg_price_usd}), {PLATFORM: 15})


@rule("category_high_ticket", "000 §4.3", _("High-ticket goods that need trust suit the own site."))
def category_high_ticket(f: Facts) -> Finding | None:
    """000 §4.3: 高客单价的商品 … 我就倾向于自营 — they need trust that pictures and a title cannot build; the
    author's ¥2,000 helmet sold on the site after review videos, a return guarantee and follow-ups."""
    c = f.answers.category
    if c.kind != "high_ticket" and c.avg_price_usd < HIGH_TICKET_USD:
        return None
    return Finding(Text(_("High-ticket goods (US$%(price)s on average) need trust, which an own site builds "
                          "better than a listing."), {"price": c.avg_price_usd}), {OWN_SITE: 20},
                   steps=((FIRST, Text(_("Build trust on the site: detailed review videos, a clear return and "
                                         "exchange guarantee, follow-ups with past buyers."))),))


@rule("category_repeat", "000 §4.3", _("High repeat-purchase potential favours the own site, which keeps the "
                                       "customer data."))
def category_repeat(f: Facts) -> Finding | None:
    """000 §4.3 / §4.2: the author's own site reached more than 15 % repeat purchase within half a year, 这是平台
    很难做到的事 — the platform keeps the customer data, so repeat business is built on the site."""
    if f.answers.category.repeat_potential != "high":
        return None
    return Finding(Text(_("High repeat-purchase potential: an own site keeps the customer data that repeat "
                          "business needs.")), {OWN_SITE: 15})


# -- goals and switching triggers: 001 FAQ Q1, 000 §5.2, 001 §一.4 -----------------------------------------------

@rule("goal_validate_product", "001 FAQ Q1", _("Goal: validate the product — start on a mainstream platform."))
def goal_validate_product(f: Facts) -> Finding | None:
    """001 FAQ Q1: 强烈建议从主流平台开始 — it skips the traffic and trust problems so the seller can focus on
    products and supply."""
    if "validate_product" not in f.answers.goals:
        return None
    return Finding(Text(_("To validate a product, a mainstream platform brings the traffic and trust so you can "
                          "focus on the product.")), {PLATFORM: 10})


@rule("goal_build_brand", "000 §5.2", _("Goal: build a brand — move toward self-operation."))
def goal_build_brand(f: Facts) -> Finding | None:
    """000 §5.2: the author repackaged the platform best-sellers on his own site with a brand story, reviews and
    video; 001 FAQ Q5: 品牌化是终极出路."""
    if "build_brand" not in f.answers.goals:
        return None
    return Finding(Text(_("Building a brand happens on the own site: the platform shows your product, the site "
                          "tells your story.")), {OWN_SITE: 15})


@rule("goal_expand_markets", "001 §一.4", _("Goal: new markets — distribution reaches specific regions."))
def goal_expand_markets(f: Facts) -> Finding | None:
    """001 §一.4: 分销网络则用于拓展特定区域市场; 001 §一.3: local distributors bring their local resources."""
    if "expand_markets" not in f.answers.goals:
        return None
    return Finding(Text(_("Expanding into new markets: local distributors and retailers bring their local "
                          "reach.")), {DISTRIBUTION: 10},
                   steps=((SECOND, Text(_("Shortlist a local distributor or retailer in the next market and "
                                          "compare its terms with selling there yourself."))),))


@rule("switch_margin_squeeze", "000 §5.2", _("Squeezed margins on the platforms: time to build self-operation."))
def switch_margin_squeeze(f: Facts) -> Finding | None:
    """000 §5.2: 平台规则变了,广告费涨了,利润空间被压缩得很厉害 — the moment the author started his own site.
    Needs the ledger's margin % (under :data:`MARGIN_SQUEEZE_PERCENT`) while selling on a platform."""
    margin = f.ledger("margin_percent")
    if margin is None or margin >= MARGIN_SQUEEZE_PERCENT or not f.answers.platforms_now:
        return None
    return Finding(Text(_("Your margin is %(margin)s%% of net sales (under %(limit)s%%): platform fees and ads "
                          "squeeze it; self-operation is the way out."),
                        {"margin": margin, "limit": MARGIN_SQUEEZE_PERCENT}), {OWN_SITE: 10})


@rule("switch_sales_falling", "000 §5.2", _("Falling platform sales (rule changes, throttling): stop relying on "
                                            "the platform alone."))
def switch_sales_falling(f: Facts) -> Finding | None:
    """000 §5.2: when the platform is no longer your only option — 当你觉得平台不再是你唯一的选择时,就是时候了;
    sales falling by :data:`SALES_FALLING_PERCENT` or more over three months is the ledger's sign of it."""
    trend = f.ledger("trend_percent")
    if trend is None or trend > SALES_FALLING_PERCENT:
        return None
    return Finding(Text(_("Net sales changed %(trend)s%% over the last three months: do not rely on platform "
                          "traffic alone."), {"trend": trend}), {OWN_SITE: 10})


# -- dropshipping: 001 FAQ Q4 -------------------------------------------------------------------------------------

@rule("dropship_viable", "001 FAQ Q4", _("Dropshipping works with reliable suppliers and real added value in "
                                         "marketing and experience."))
def dropship_viable(f: Facts) -> Finding | None:
    """001 FAQ Q4: 可行,但门槛已提高 — 与可靠且沟通顺畅的供应商合作;在营销和用户体验上创造独特价值. Reliable
    suppliers: a supply chain that is not weak; added value: a team running the shop or the content."""
    a = f.answers
    if a.supply_chain == "weak" or not (a.team.platform_ops or a.team.content_brand):
        return None
    return Finding(Text(_("Dropshipping can work for you: reliable suppliers and a team that adds value in "
                          "marketing and customer experience.")), {DISTRIBUTION: 10})


@rule("dropship_unreliable_suppliers", "001 FAQ Q4", _("Dropshipping with unreliable suppliers: pure resale is "
                                                       "crowded and the supplier's failures are yours."))
def dropship_unreliable_suppliers(f: Facts) -> Finding | None:
    """001 FAQ Q4: 纯粹的搬运式一件代发竞争激烈 — success needs reliable suppliers, which a weak supply chain lacks."""
    if f.answers.supply_chain != "weak":
        return None
    return Finding(Text(_("Weak supply chain: dropshipping depends on suppliers shipping well in your name.")),
                   {DISTRIBUTION: -10},
                   risks=((MEDIUM, Text(_("Dropshipping through unreliable suppliers: late or lost parcels and "
                                          "poor quality land on your account and reviews."))),),
                   steps=((FIRST, Text(_("Order samples and test delivery times from at least two suppliers "
                                         "before listing their products."))),))


# -- risks: 004 §2.3.3, 004 §1.2 ----------------------------------------------------------------------------------

def _largest_platform_share(f: Facts) -> tuple[str, Decimal] | None:
    """(channel, share) of the largest platform: the ledger's when it knows the shares, else the answers' (one
    platform and no other channel: 100 %)."""
    share, channel = f.ledger("largest_share"), f.ledger("largest_channel")
    if share is not None and channel:
        return (channel, Decimal(share)) if model_of_channel(channel) == PLATFORM else None
    channels = f.answers.channels_now
    if len(channels) == 1 and model_of_channel(channels[0]) == PLATFORM:
        return channels[0], Decimal(1)
    return None


@rule("platform_dependency", "004 §2.3.3", Text(_("One platform above %(share)s%% of sales: a ban or rule "
                                                  "change can take the business down."),
                                                {"share": int(DEPENDENCY_SHARE * 100)}))
def platform_dependency(f: Facts) -> Finding | None:
    """004 §2.3.3: in the 2021 Amazon ban wave a seller relying on one platform lost over ¥400 M; survivors ran a
    triangle of marketplace (cash flow) + own site (brand asset) + social private traffic (user asset)."""
    largest = _largest_platform_share(f)
    if largest is None or largest[1] <= DEPENDENCY_SHARE:
        return None
    channel, share = largest
    params = {"channel": channel_name(channel), "share": (share * 100).quantize(Decimal(1))}
    return Finding(Text(_("%(channel)s brings %(share)s%% of your sales: build the own site and private traffic "
                          "as the other legs of the triangle."), params),
                   {OWN_SITE: 10},
                   risks=((HIGH, Text(_("Platform dependency: %(channel)s is %(share)s%% of sales; one ban or "
                                        "rule change can cut revenue overnight."), params)),),
                   steps=((SECOND, Text(_("Open a second channel (another platform or the own site) and start "
                                          "collecting buyers' contacts (email, social) you own."))),))


@rule("stage_trap", "004 §1.2", _("Each stage's common trap, as a risk."))
def stage_trap(f: Facts) -> Finding | None:
    """004 §1.2 常见陷阱: survival — volume over account health; growth — expanding until the cash runs out;
    stable — the comfort zone; scale — management complexity."""
    trap = STAGE_TRAPS.get(f.stage)
    if trap is None:
        return None
    return Finding(risks=((MEDIUM, Text(_("%(stage)s stage trap: %(trap)s"),
                                        {"stage": STAGE_NAMES[f.stage], "trap": trap})),))


@rule("cash_trap", "004 §1.2", Text(_("Growing or expanding on under %(months)d months of runway: the growth "
                                      "trap."), {"months": WEAK_CAPITAL_RUNWAY_MONTHS}))
def cash_trap(f: Facts) -> Finding | None:
    """004 §1.2 增长期 常见陷阱: 过快扩张导致资金链断裂 — expansion (the growth stage or the goal of new markets)
    with little runway."""
    a = f.answers
    if a.cash_runway_months >= WEAK_CAPITAL_RUNWAY_MONTHS or not (f.stage == GROWTH or "expand_markets" in a.goals):
        return None
    return Finding(risks=((HIGH, Text(_("Only %(months)d months of cash runway while expanding: growth can run "
                                        "the cash out."), {"months": a.cash_runway_months})),),
                   steps=((FIRST, Text(_("Set a cash floor: add SKUs or markets only while at least %(months)d "
                                         "months of runway remain."), {"months": WEAK_CAPITAL_RUNWAY_MONTHS})),))


# -- capability map: 004 §1.3 -------------------------------------------------------------------------------------

@rule("capability_digital_low", "004 §1.3", _("Weak digital operations (1–2 of 5): not yet ready to run an own "
                                              "site."))
def capability_digital_low(f: Facts) -> Finding | None:
    """004 §1.3 数字化运营能力 (data-driven decisions, automation, omnichannel): an own site lives on it (001 §三:
    traffic, CRO, analytics, CRM); a weak score takes own-site weight and adds a step to improve it."""
    score = f.score("digital_operations")
    if score is None or score > WEAK_SCORE:
        return None
    return Finding(Text(_("Digital operations scored %(score)d of 5: an own site needs data-driven traffic and "
                          "customer operations."), {"score": score}), {OWN_SITE: -15},
                   steps=((FIRST, Text(_("Improve digital operations: set up analytics and a customer list, "
                                         "automate order and stock updates."))),))


@rule("capability_differentiation_high", "004 §1.3", _("Strong product differentiation (4–5 of 5): a brand "
                                                       "premium the own site can earn."))
def capability_differentiation_high(f: Facts) -> Finding | None:
    """004 §1.3 产品差异化能力: a distinct product range is hard to copy — and worth a brand of its own."""
    score = f.score("product_differentiation")
    if score is None or score < STRONG_SCORE:
        return None
    return Finding(Text(_("Product differentiation scored %(score)d of 5: distinct products earn a brand premium "
                          "on the own site."), {"score": score}), {OWN_SITE: 10})


@rule("capability_supply_high", "004 §1.3", _("Strong supply-chain integration (4–5 of 5): volume on platforms "
                                              "and distribution."))
def capability_supply_high(f: Facts) -> Finding | None:
    """004 §1.3 供应链整合能力 (direct sourcing, flexible production, global warehousing): it carries volume, the
    platform and distribution strengths of 001 §二."""
    score = f.score("supply_chain_integration")
    if score is None or score < STRONG_SCORE:
        return None
    return Finding(Text(_("Supply-chain integration scored %(score)d of 5: it can carry platform volume and "
                          "distribution."), {"score": score}), {PLATFORM: 5, DISTRIBUTION: 5})


# -- after the mix: hybrid conflicts, 001 FAQ Q3 and 000 §5.3 ---------------------------------------------------

@rule("hybrid_conflicts", "001 FAQ Q3", _("Platform and own site together: differentiate the site and "
                                          "coordinate prices and stock so the channels do not compete."),
      phase=AFTER_MIX)
def hybrid_conflicts(f: Facts) -> Finding | None:
    """001 FAQ Q3: 采取差异化策略 — 在独立站首发新品、提供独家款式或套装;会员专属折扣;在库存和价格上也需要进行协调管理.
    000 §5.3: platform best-sellers pull buyers to the site ("关注我们…送定制耳机套"). Fires when a platform and the
    own site are both used now, or both carry at least :data:`SUBSTANTIAL_WEIGHT` of the advised mix."""
    a = f.answers
    used_now = OWN_SITE in a.models_now and bool(a.platforms_now)
    mix = f.mix or {}
    advised = mix.get(OWN_SITE, 0) >= SUBSTANTIAL_WEIGHT and mix.get(PLATFORM, 0) >= SUBSTANTIAL_WEIGHT
    if not (used_now or advised):
        return None
    return Finding(Text(_("Platform and own site side by side: keep them from competing — the site gets its own "
                          "offer, prices and stock are coordinated.")),
                   risks=((LOW, Text(_("Channel conflict: the same product at different prices or out of stock "
                                       "on one channel confuses buyers and undercuts the site."))),),
                   steps=(
                       (FIRST, Text(_("Give the site its own offer: launch new products there first, site-only "
                                      "variants or bundles, member-only discounts."))),
                       (SECOND, Text(_("Coordinate prices across channels: one price list, the site never "
                                       "undercut by the platform."))),
                       (SECOND, Text(_("Coordinate stock across channels: one stock pool with a reserve per "
                                       "channel, so a platform sale never oversells the site."))),
                       (THIRD, Text(_("Pull platform buyers to the site: insert cards and \"follow us for a "
                                      "gift\" offers with the best-sellers."))),
                   ))
