"""Changing the finance settings (:class:`chuhai.finance.finance_settings.FinanceSettings`): validated, one row,
history kept by django-simple-history with the user who changed it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .finance_settings import CostingMethod, FeeAllocationBasis, FinanceSettings

FIELDS = ("costing_method", "fee_allocation_basis", "vat_on_fees_recoverable", "unsettled_after_days")
MAX_UNSETTLED_DAYS = 365


def update_finance_settings(changes: dict, user=None) -> FinanceSettings:
    """Apply the given fields (others keep their values); raises ``ValidationError`` naming the field."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(_("Unknown finance setting(s): %(names)s.") % {"names": ", ".join(sorted(unknown))})
    settings = FinanceSettings.load()
    errors = {}
    if "costing_method" in changes and changes["costing_method"] not in CostingMethod.values:
        errors["costing_method"] = _("Choose one of %(choices)s.") % {"choices": ", ".join(CostingMethod.values)}
    if "fee_allocation_basis" in changes and changes["fee_allocation_basis"] not in FeeAllocationBasis.values:
        errors["fee_allocation_basis"] = _("Choose one of %(choices)s.") % {
            "choices": ", ".join(FeeAllocationBasis.values)}
    if "vat_on_fees_recoverable" in changes and not isinstance(changes["vat_on_fees_recoverable"], bool):
        errors["vat_on_fees_recoverable"] = _("Yes or no.")
    if "unsettled_after_days" in changes:
        days = changes["unsettled_after_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_UNSETTLED_DAYS:
            errors["unsettled_after_days"] = _("A whole number of days from 1 to %(max)s.") % {
                "max": MAX_UNSETTLED_DAYS}
    if errors:
        raise ValidationError(errors)
    changed = [name for name in FIELDS if name in changes and getattr(settings, name) != changes[name]]
    if not changed:
        return settings
    for name in changed:
        setattr(settings, name, changes[name])
    if getattr(user, "pk", None):
        settings._history_user = user
    settings.save()
    return settings


def last_change(settings: FinanceSettings | None = None):
    """``(when, username or None)`` of the latest change, or None if never changed (the row being created with
    the defaults, the first time anything reads it, is not a change)."""
    settings = settings or FinanceSettings.load()
    record = settings.history.filter(history_type="~").select_related("history_user").order_by(
        "-history_date", "-history_id").first()
    if record is None:
        return None
    return record.history_date, (record.history_user.get_username() if record.history_user else None)
