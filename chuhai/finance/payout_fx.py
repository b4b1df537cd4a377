"""Payouts received and their FX gain or loss.

Amazon pays settlement 18174059732 of 10,000.00 USD; PingPong credits 71,850.00 CNY and charges a 0.3 % withdrawal
fee. What we count, all in the base currency (``CompanySettings.base_currency``):

- **received** (``PayoutReceipt.base_amount``): the *gross* credited in the currency received, i.e. ``amount +
  fee`` (``amount`` is what reached the account after the provider's fee), at the received date's rate. The fee is
  not a currency effect: it is a withdrawal-fee cost, reported separately (``fees`` in :func:`fx_summary`), so the
  gain is not blurred by it.
- **book** (``book_amount``): the sum of the settlement's ledger lines' ``base_amount``, each at its own posting
  date's rate (:mod:`chuhai.finance.base_amounts`; lines not converted yet are converted first). Only the lines
  the settlement report itself brought count (lines of a transaction report linked to the same settlement describe
  the same money a second time).
- **FX gain / loss** (``fx_gain``) = received − book: the rate's movement between the lines' dates and the day the
  money arrived, plus the provider's spread against the reference rate. Positive is a gain.

A payout without a settlement has no book value: ``book_amount`` and ``fx_gain`` stay empty. A settlement is paid
by one receipt (a second one for the same settlement is refused: the book value would be counted twice). A
missing exchange rate (for the receipt's day, or a settlement line's) refuses the payout with the rate to add
(:class:`chuhai.finance.fx.FxRateMissing`): a gain computed from a guessed rate would be wrong in the books.

The provider and its transaction reference identify a payout: the same reference is never recorded twice.
:func:`import_payouts_csv` reads a CSV of payouts (columns in :data:`CSV_COLUMNS`) all or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuhai.channels.models import ChannelAccount
from chuhai.core.models import CompanySettings
from chuhai.core.money import normalize_currency

from .base_amounts import convert_lines
from .fx import FxConverter, FxRateMissing
from .models import Settlement
from .payouts import PayoutProvider, PayoutReceipt

ZERO = Decimal(0)
#: Columns of the payouts CSV, in this order (``fee`` and ``settlement_id`` may be empty).
CSV_COLUMNS = ("provider", "reference", "received_on", "amount", "currency", "fee", "account", "settlement_id")
CSV_REQUIRED = ("provider", "reference", "received_on", "amount", "currency", "account")


def book_lines(settlement: Settlement):
    """The ledger lines that make up a settlement's payout: those of the report that created the settlement."""
    lines = settlement.lines.all()
    source = getattr(settlement.import_run, "source", None) if settlement.import_run_id else None
    if source:
        return lines.filter(source=source)
    return lines.exclude(source__endswith="-transactions")


def book_value(settlement: Settlement) -> Decimal:
    """Sum of the settlement's lines in the base currency; converts lines that have no base amount yet and raises
    :class:`FxRateMissing` naming the first missing rate if some cannot be converted."""
    lines = book_lines(settlement)
    if lines.filter(base_amount__isnull=True).exists():
        _converted, missing = convert_lines(lines)
        if missing:
            currency, day = missing[0]
            raise FxRateMissing(
                _("Settlement %(settlement)s has lines in %(code)s on %(day)s without an exchange rate: add one "
                  "(finance → exchange rates, or `chuhai fx set %(code)s %(base)s RATE --from %(day)s`), then "
                  "record the payout again.") % {
                    "settlement": settlement.settlement_id, "code": currency,
                    "day": day.isoformat() if day else _("(no date)"),
                    "base": CompanySettings.load().base_currency})
    # summed here, exactly: SQLite's SUM over decimals goes through floats
    return sum(lines.values_list("base_amount", flat=True).iterator(), ZERO)


def _account(account) -> ChannelAccount:
    if isinstance(account, ChannelAccount):
        return account
    found = ChannelAccount.objects.filter(code=str(account or "").strip()).first()
    if found is None:
        raise ValidationError({"account": _("No channel account %(code)s.") % {"code": account}})
    return found


def _settlement(account: ChannelAccount, settlement) -> Settlement | None:
    if settlement in (None, ""):
        return None
    if isinstance(settlement, Settlement):
        if settlement.account_id != account.pk:
            raise ValidationError({"settlement": _("Settlement %(id)s belongs to another account.") % {
                "id": settlement.settlement_id}})
        return settlement
    found = Settlement.objects.filter(account=account, settlement_id=str(settlement).strip()).first()
    if found is None:
        raise ValidationError({"settlement": _("No settlement %(id)s on account %(account)s.") % {
            "id": settlement, "account": account.code}})
    return found


def _duplicate(provider: str, reference: str) -> ValidationError:
    return ValidationError({"reference": ValidationError(
        _("Payout %(reference)s through %(provider)s is already recorded.") % {
            "reference": reference, "provider": PayoutProvider(provider).label}, code="unique")})


def record_payout(account, provider: str, reference: str, received_on: dt.date, amount: Decimal, currency: str,
                  fee: Decimal = ZERO, settlement=None, note: str = "", user=None,
                  converter: FxConverter | None = None) -> PayoutReceipt:
    """Record money received (``amount`` after the provider's ``fee``, both in ``currency``) and its FX gain.

    ``account``: a :class:`ChannelAccount` or its code; ``settlement``: a :class:`Settlement` of that account or
    its settlement id. Raises ``ValidationError`` naming the field (duplicate reference, unknown settlement, bad
    amount) and :class:`FxRateMissing` for a missing rate; nothing is written then.
    """
    account = _account(account)
    provider = (provider or "").strip().lower()
    if provider not in PayoutProvider.values:
        raise ValidationError({"provider": _("Unknown provider %(provider)s; choose one of %(choices)s.") % {
            "provider": repr(provider), "choices": ", ".join(PayoutProvider.values)}})
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Enter the provider's transaction reference.")})
    if len(reference) > 100:
        raise ValidationError({"reference": _("At most 100 characters.")})
    try:
        currency = normalize_currency(currency)
    except ValidationError as exc:
        raise ValidationError({"currency": exc.messages}) from None
    amount, fee = Decimal(amount), Decimal(fee or 0)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount received must be more than zero.")})
    if fee < 0:
        raise ValidationError({"fee": _("The fee cannot be negative.")})
    if received_on > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError({"received_on": _("The date is in the future.")})
    settlement = _settlement(account, settlement)
    if PayoutReceipt.objects.filter(provider=provider, reference=reference).exists():
        raise _duplicate(provider, reference)
    if settlement is not None:
        other = settlement.receipts.first()
        if other is not None:
            raise ValidationError({"settlement": _(
                "Settlement %(id)s already has a payout (%(provider)s %(reference)s): its book value would be "
                "counted twice.") % {"id": settlement.settlement_id, "provider": other.get_provider_display(),
                                     "reference": other.reference}})
    base = CompanySettings.load().base_currency
    converter = converter or FxConverter()
    received = (amount + fee) * converter.rate(currency, base, received_on)
    with transaction.atomic():
        book = book_value(settlement) if settlement is not None else None
        receipt = PayoutReceipt(
            account=account, settlement=settlement, provider=provider, reference=reference,
            received_on=received_on, amount=amount, currency=currency, fee=fee, base_amount=received,
            book_amount=book, fx_gain=None if book is None else received - book, note=(note or "")[:300],
            created_by=user if getattr(user, "pk", None) else None,
        )
        if getattr(user, "pk", None):
            receipt._history_user = user
        try:
            with transaction.atomic():
                receipt.save()
        except IntegrityError as exc:
            if PayoutReceipt.objects.filter(provider=provider, reference=reference).exists():
                raise _duplicate(provider, reference) from exc
            raise
    receipt.refresh_from_db()
    return receipt


# -- summary --------------------------------------------------------------------------------------------------------
def fee_in_base(receipt: PayoutReceipt) -> Decimal:
    """The provider fee at the same rate as the gross received (``base_amount`` is ``(amount + fee) × rate``)."""
    gross = receipt.amount + receipt.fee
    if not receipt.fee or receipt.base_amount is None or not gross:
        return ZERO
    return receipt.base_amount * receipt.fee / gross


def receipts(date_from: dt.date | None = None, date_to: dt.date | None = None, account=None, provider: str = "",
             currency: str = ""):
    qs = PayoutReceipt.objects.select_related("account", "settlement", "created_by")
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    if account:
        qs = qs.filter(account=account) if isinstance(account, ChannelAccount) else qs.filter(account__code=account)
    if provider:
        qs = qs.filter(provider=provider)
    if currency:
        qs = qs.filter(currency=currency)
    return qs.order_by("-received_on", "-id")


@dataclass
class FxTotals:
    """Totals in the base currency: ``received`` gross, ``book`` of the settled payouts, provider ``fees``, and
    ``gain`` (received − book, over the payouts that have a settlement)."""

    account: str = ""
    provider: str = ""
    payouts: int = 0
    received: Decimal = ZERO
    book: Decimal = ZERO
    fees: Decimal = ZERO
    gain: Decimal = ZERO
    without_settlement: int = 0

    def add(self, receipt: PayoutReceipt) -> None:
        self.payouts += 1
        self.received += receipt.base_amount or ZERO
        self.fees += fee_in_base(receipt)
        if receipt.fx_gain is None:
            self.without_settlement += 1
        else:
            self.book += receipt.book_amount or ZERO
            self.gain += receipt.fx_gain


@dataclass
class FxSummary:
    currency: str
    rows: list[FxTotals] = field(default_factory=list)
    total: FxTotals = field(default_factory=FxTotals)
    #: ``[("2026-03", gain), ...]`` for every month of the period that has a payout, in order.
    monthly: list[tuple[str, Decimal]] = field(default_factory=list)


def fx_summary(date_from: dt.date | None = None, date_to: dt.date | None = None, **filters) -> FxSummary:
    """Totals per account and provider of the payouts received in the period (sums in Python: exact)."""
    groups: dict[tuple[str, str], FxTotals] = {}
    total = FxTotals()
    months: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for receipt in receipts(date_from, date_to, **filters).iterator(chunk_size=2000):
        key = (receipt.account.code, receipt.provider)
        if key not in groups:
            groups[key] = FxTotals(account=key[0], provider=key[1])
        groups[key].add(receipt)
        total.add(receipt)
        months[receipt.received_on.strftime("%Y-%m")] += receipt.fx_gain or ZERO
    return FxSummary(CompanySettings.load().base_currency, [groups[k] for k in sorted(groups)], total,
                     sorted(months.items()))


# -- CSV import -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportedPayouts:
    file: str
    created: int
    receipts: list[PayoutReceipt]


def import_payouts_csv(path: str | Path, user=None, display_name: str | None = None) -> ImportedPayouts:
    """Import a CSV (or XLSX) of payouts: one row per payout with the columns of :data:`CSV_COLUMNS`
    (``received_on`` as YYYY-MM-DD, amounts with a decimal point, ``settlement_id`` the platform's settlement id
    of that account or empty). All or nothing: any bad row raises
    :class:`chuhai.channels.ingest.errors.FileRejected` listing every error with its line and column, and nothing
    is written."""
    from chuhai.channels.ingest import values
    from chuhai.channels.ingest.errors import ErrorCollector
    from chuhai.channels.ingest.reading import ColumnSpec, cell, load_payload, read_table

    payload = load_payload(path, display_name)
    errors = ErrorCollector(payload.name)
    table = read_table(payload)
    spec = ColumnSpec(table, required={c: (c,) for c in CSV_REQUIRED},
                      optional={c: (c,) for c in CSV_COLUMNS if c not in CSV_REQUIRED})

    def day(value):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(values.text(value))
        except ValueError:
            raise values.CellError("not a date (YYYY-MM-DD)", values.text(value)) from None

    rows = []
    for row in table.rows:
        parsed = {
            "provider": cell(row, spec, "provider", values.text, errors, required=True),
            "reference": cell(row, spec, "reference", values.identifier, errors, required=True),
            "received_on": cell(row, spec, "received_on", day, errors, required=True),
            "amount": cell(row, spec, "amount", values.decimal, errors, required=True),
            "currency": cell(row, spec, "currency", values.text, errors, required=True),
            "fee": cell(row, spec, "fee", values.decimal, errors, default=ZERO),
            "account": cell(row, spec, "account", values.text, errors, required=True),
            "settlement": cell(row, spec, "settlement_id", values.identifier, errors, default=None),
        }
        if None not in (parsed["provider"], parsed["reference"], parsed["received_on"], parsed["amount"],
                        parsed["currency"], parsed["account"]):
            rows.append((row.line, parsed))
    errors.raise_if_any()
    created: list[PayoutReceipt] = []
    converter = FxConverter()
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        for line, parsed in rows:
            key = (parsed["provider"].lower(), parsed["reference"])
            if key in seen:
                errors.add(line, spec.names["reference"], parsed["reference"],
                           f"the same reference is on line {seen[key]}")
                continue
            seen[key] = line
            try:
                with transaction.atomic():
                    created.append(record_payout(user=user, converter=converter, **parsed))
            except ValidationError as exc:
                for name, messages in _field_errors(exc):
                    column = spec.names.get("settlement_id" if name == "settlement" else name, name)
                    raw = parsed.get(name) if name in parsed else None
                    errors.add(line, column, raw, " ".join(str(m) for m in messages))
            except FxRateMissing as exc:
                errors.add(line, spec.names["received_on"], parsed["received_on"], str(exc))
        errors.raise_if_any()
    return ImportedPayouts(payload.name, len(created), created)


def _field_errors(exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            yield name, [m for e in errors for m in e.messages]
    else:
        yield None, exc.messages

