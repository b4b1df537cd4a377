"""Shopify Payments' money-line vocabulary mapped onto our fee categories (the default; finance's mappings win).

Rules are ``(transaction_type, amount_type, amount_description, category)``, ``""`` = any, matched
case-insensitively, most specific wins (:mod:`chuhai.finance.categorise`).

Where the names come from: the Shopify Payments payout transactions (Admin → Finances → Payouts → Export, and the
REST ``shopify_payments/balance/transactions`` resource): each row has a ``type`` — ``charge``, ``refund``,
``adjustment``, ``dispute``, ``reserve``, ``payout``… — and three money cells ``amount`` (gross), ``fee`` and
``net``; payout summaries split the same into charges / refunds / adjustments / reserved funds, each with a gross
and a fee amount. A parser stores one line per money cell, ``transaction_type`` = the row's type and
``amount_type`` = the cell's name (``amount`` or ``fee``; ``net`` is their sum, a check, never a line), as the
Amazon Date Range parser does. No Shopify payout parser exists yet: a real file's other names appear on the Fee
types page to be mapped.
"""

from __future__ import annotations

from chuhai.finance.fees import FeeCategory as C

DEFAULT_RULES = (
    ("", "fee", "", C.TRANSACTION_FEE),  # Shopify Payments processing fee, on any kind of row
    ("charge", "amount", "", C.PRINCIPAL),
    ("refund", "amount", "", C.REFUND),
    ("dispute", "amount", "", C.REFUND),
    ("chargeback", "amount", "", C.REFUND),
    ("dispute", "fee", "", C.SERVICE_FEE),  # the chargeback fee
    ("reserve", "", "", C.RESERVE),
    ("reserved funds", "", "", C.RESERVE),
    ("payout", "", "", C.TRANSFER),
    ("adjustment", "", "", C.OTHER),
    ("application_fee", "", "", C.SERVICE_FEE),
    ("shipping_label", "", "", C.SHIPPING_LABEL),
)
