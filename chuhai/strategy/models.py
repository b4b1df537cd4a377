"""What the operating-model advisor keeps: each piece of advice given, the scenarios a user saved, and the
capability self-assessments over time.

Advice and scenarios are stored with their inputs *and* their outputs as JSON: the rules and the ledger change,
and a seller looking back at "what did chuhai advise in March" must see what it said then, not a recomputation.
Assessments are one row per assessment (never edited in place) so the radar chart can show the scores over time;
simple-history records who changed or deleted what.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AdviceRecord(models.Model):
    """One run of the advisor: the answers it got (after the ledger filled what it could) and its advice."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    #: The answers in the questionnaire's YAML shape (chuhai.strategy.answers.Answers.to_dict()).
    answers = models.JSONField(_("answers"))
    #: Which answer keys were filled from the ledger rather than by the user.
    from_ledger = models.JSONField(_("filled from the ledger"), default=list, blank=True)
    #: The advice in the JSON shape of ``chuhai advise --json`` (chuhai.strategy.engine.Advice.to_json()).
    advice = models.JSONField(_("advice"))
    primary = models.CharField(_("primary model"), max_length=20)
    stage = models.CharField(_("stage"), max_length=10)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advice")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.primary}"


class ScenarioKind(models.TextChoices):
    MOVE_TO_OWN_SITE = "move_to_own_site", _("Move a SKU to the own site")
    DROPSHIP_VS_STOCK = "dropship_vs_stock", _("Dropship or hold stock")
    ADD_MARKET = "add_market", _("Add a market")


class Scenario(models.Model):
    """A what-if a user ran and kept: its kind, its assumptions and the result computed from them."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ScenarioKind.choices)
    #: The assumptions as entered (strings for Decimals), enough to run the scenario again.
    assumptions = models.JSONField(_("assumptions"))
    #: The result when it was saved (chuhai.strategy.scenarios result ``to_dict()``).
    result = models.JSONField(_("result"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=ScenarioKind.values),
                                              name="strategy_scenario_kind")]

    def __str__(self) -> str:
        return self.name


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class CapabilityAssessment(models.Model):
    """A self-assessment on the seeds' capability map (004 §1.3): three scores from 1 to 5, kept over time."""

    assessed_on = models.DateField(_("assessed on"), db_index=True)
    product_differentiation = models.PositiveSmallIntegerField(_("product differentiation"),
                                                               validators=SCORE_VALIDATORS)
    supply_chain_integration = models.PositiveSmallIntegerField(_("supply-chain integration"),
                                                                validators=SCORE_VALIDATORS)
    digital_operations = models.PositiveSmallIntegerField(_("digital operations"), validators=SCORE_VALIDATORS)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capability assessment")
        verbose_name_plural = _("capability assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(product_differentiation__gte=1, product_differentiation__lte=5,
                                   supply_chain_integration__gte=1, supply_chain_integration__lte=5,
                                   digital_operations__gte=1, digital_operations__lte=5),
                name="strategy_capability_scores_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.assessed_on}"
