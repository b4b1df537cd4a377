"""``chuhai advise --answers FILE.yaml [--json] [--ledger/--no-ledger]``: the operating-model advisor.

The advice is :func:`chuhai.strategy.engine.advise`'s — the same as the advisor page and ``POST /api/v1/advice``.
With the ledger (the default when the database holds a sale) the answers the file leaves out —
months_selling, monthly_revenue_cny, markets, channels_now — come from the orders
(:mod:`chuhai.strategy.evidence`), and the ledger's stage wins over the months answered. Nothing is stored.

Exit codes: 0 done, 1 a bad answers file (the message names the file, line, column and the allowed values).
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal

from ..errors import CliError
from ..output import print_json

BAR_WIDTH = 20
MODEL_LABELS = {"platform": "Platform", "own_site": "Own site", "distribution": "Distribution",
                "hybrid": "Hybrid (platform + own site + distribution)"}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "advise", help="which operating model fits: platform, own site, distribution or hybrid",
        description="Recommend a mix of operating models (platform, own site, distribution) from a YAML answers "
                    "file, with the reasons and the seed article section behind each, the risks, a 90-day plan "
                    "and the KPIs of your stage. JSON: {\"primary\", \"mix\", \"stage\", \"reasons\", \"risks\", "
                    "\"plan\", \"kpis\"}.",
        epilog="Answers file keys: months_selling, monthly_revenue_cny, cash_runway_months, team {platform_ops, "
               "content_brand, tech_data, overseas_logistics}, supply_chain (weak|average|strong), category {kind "
               "(fast_moving|high_ticket|mixed), avg_price_usd, repeat_potential (low|medium|high)}, markets, "
               "channels_now, goals (validate_product|build_brand|expand_markets).")
    parser.add_argument("--answers", required=True, metavar="FILE.yaml", help="the questionnaire's answers")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--ledger", action=argparse.BooleanOptionalAction, default=None,
                        help="fill missing answers and the stage from the ledger (default: on when the database "
                             "holds sales)")
    parser.set_defaults(run=run_advise)


def _bar(weight: Decimal) -> str:
    filled = int((weight * BAR_WIDTH).to_integral_value())
    return "█" * filled + "·" * (BAR_WIDTH - filled)


def _effect(effect: dict) -> str:
    parts = [f"{MODEL_LABELS[m].lower()} {'+' if p > 0 else '−'}{abs(p)}" for m, p in effect.items() if p]
    return f" ({', '.join(parts)})" if parts else ""


def print_advice(run, file=None) -> None:
    """The advice for people: primary, mix as bars, stage, reasons with sources, risks, plan, KPIs."""
    from chuhai.analytics.stage import STAGE_MONTHS, STAGE_NAMES
    from chuhai.strategy.answers import MODELS

    out = file or sys.stdout
    advice = run.advice
    print(f"Primary model: {MODEL_LABELS[advice.primary]}", file=out)
    where = "from the ledger" if run.evidence is not None else "from months selling"
    print(f"Stage: {STAGE_NAMES[advice.stage]} ({STAGE_MONTHS[advice.stage]}, {where})", file=out)
    if run.from_ledger:
        print(f"Filled from the ledger: {', '.join(run.from_ledger)}", file=out)
    print("\nMix:", file=out)
    width = max(len(MODEL_LABELS[m]) for m in MODELS)
    for model in MODELS:
        weight = advice.mix[model]
        print(f"  {MODEL_LABELS[model]:<{width}}  {_bar(weight)}  {int(weight * 100):>3} %", file=out)
    print("\nReasons:", file=out)
    for reason in advice.reasons:
        print(f"  - {reason.text} [{reason.rule}, {reason.source}]{_effect(reason.effect)}", file=out)
    print("\nRisks:", file=out)
    for risk in advice.risks or []:
        print(f"  - {risk.level.upper()}: {risk.text} [{risk.rule}, {risk.source}]", file=out)
    if not advice.risks:
        print("  (none found)", file=out)
    print("\n90-day plan:", file=out)
    current = None
    for step in advice.plan:
        if step.days != current:
            current = step.days
            print(f"  Days {current}", file=out)
        print(f"    - {step.text} [{step.rule}]", file=out)
    print(f"\nKPIs to watch ({STAGE_NAMES[advice.stage]}, 004 §1.2): {', '.join(str(k) for k in advice.kpis)}",
          file=out)


def run_advise(args) -> int:
    from django.utils.translation import activate

    from chuhai.strategy.answers import AnswersError, read_answers_file
    from chuhai.strategy.records import run_advisor

    activate("en")
    try:
        data, marks = read_answers_file(args.answers)
        # default and --ledger alike: the ledger fills in when it holds a sale (no sale: no evidence)
        run = run_advisor(data, source=args.answers, marks=marks, use_ledger=args.ledger is not False)
    except AnswersError as exc:
        raise CliError(str(exc)) from None
    if args.ledger and run.evidence is None:
        print("note: the ledger has no sale yet; advising from the answers alone", file=sys.stderr)
    if args.json:
        print_json(run.advice.to_json())
    else:
        print_advice(run)
    return 0
