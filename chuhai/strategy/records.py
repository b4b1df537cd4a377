"""Running the advisor for the CLI and the API, and keeping what it said (:class:`AdviceRecord`).

The order matters and is the same everywhere: gather the ledger's evidence (when asked and when the ledger has a
sale), let it fill the answers the seller left out and remember which, parse (so a bad answer fails before
anything is stored), take the latest capability self-assessment if there is one, advise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .answers import Answers, Marks, parse_answers
from .engine import Advice, advise
from .models import AdviceRecord, CapabilityAssessment


@dataclass
class AdviceRun:
    answers: Answers
    advice: Advice
    from_ledger: list[str] = field(default_factory=list)
    evidence: Any = None
    capability: CapabilityAssessment | None = None


def gather(*, user=None, today: dt.date | None = None):
    """The ledger's evidence, or None (no sale yet)."""
    from .evidence import gather_evidence

    return gather_evidence(today=today, user=user)


def latest_capability() -> CapabilityAssessment | None:
    """The newest capability self-assessment (004 §1.3), which the capability rules read."""
    return CapabilityAssessment.objects.order_by("-assessed_on", "-id").first()


def run_advisor(partial: Mapping, *, source: str = "answers", marks: Marks | None = None, use_ledger: bool = True,
                user=None, today: dt.date | None = None) -> AdviceRun:
    """Fill ``partial`` from the ledger (when ``use_ledger`` and it has a sale), parse and advise. Raises
    :class:`chuhai.strategy.answers.AnswersError` for bad or missing answers."""
    evidence = gather(user=user, today=today) if use_ledger else None
    filled: list[str] = []
    data = dict(partial)
    if evidence is not None:
        from .evidence import fill_answers

        data, filled = fill_answers(partial, evidence)
    answers = parse_answers(data, source=source, marks=marks)
    capability = latest_capability()
    return AdviceRun(answers, advise(answers, evidence, capability), list(filled), evidence, capability)


def record_advice(answers: Answers, from_ledger, advice: Advice, user) -> AdviceRecord:
    """Keep one piece of advice with its inputs, as shown (texts in the active language): the rules and the
    ledger change, and looking back must show what was said then."""
    return AdviceRecord.objects.create(
        created_by=user if getattr(user, "is_authenticated", False) else None,
        answers=answers.to_dict(), from_ledger=list(from_ledger), advice=advice.to_json(),
        primary=advice.primary, stage=advice.stage)
