"""Payment providers' money-line vocabulary (PayPal, Stripe, PingPong, LianLian, Payoneer) mapped onto our fee
categories. They are not sales channels, so their defaults live here rather than in ``chuhai/channels``.

``DEFAULT_RULES`` maps each provider (the ``platform`` of its lines and of finance's mappings) to rules
``(transaction_type, amount_type, amount_description, category)``, ``""`` = any, matched case-insensitively, most
specific wins (:mod:`chuhai.finance.categorise`).

Currency conversion lines are ``fx_spread``: a conversion books the money leaving one currency and arriving in
another; valued in the base currency at the day's reference rate the two lines do not cancel, and what is left is
the spread the provider kept. Withdrawals to the seller's bank are ``transfer``; their fees ``withdrawal_fee``.

Where the names come from (no parser stores provider lines yet; real files' other names appear on the Fee types
page to be mapped):

- PayPal: Activity → Download, "Balance affecting" CSV — ``Type`` (Express Checkout Payment, Website Payment,
  Mobile Payment, Payment Refund, Chargeback, Payment Reversal, General Currency Conversion, General Withdrawal,
  Hold on Balance for Dispute Investigation, Reversal of General Account Hold) and money cells ``Gross`` / ``Fee``
  (``Net`` is their sum).
- Stripe: the balance transactions export (``balance_history.csv``) — ``Type`` (charge, payment, refund,
  payment_refund, adjustment, payout, stripe_fee, application_fee) and ``Amount`` / ``Fee`` (``Net`` their sum).
- PingPong, LianLian (连连), Payoneer: the account statements (账单明细 / Transactions), in English or Chinese:
  collection (收款), withdrawal (提现), withdrawal fee (提现手续费), currency exchange (结汇 / 换汇), annual fee.
"""

from __future__ import annotations

from chuhai.finance.fees import FeeCategory as C

_STATEMENT = (
    ("Collection", C.TRANSFER), ("Receipt", C.TRANSFER), ("Payment received", C.TRANSFER),
    ("收款", C.TRANSFER), ("入账", C.TRANSFER),
    ("Withdrawal", C.TRANSFER), ("Withdraw", C.TRANSFER), ("Withdraw to bank", C.TRANSFER),
    ("提现", C.TRANSFER),
    ("Withdrawal fee", C.WITHDRAWAL_FEE), ("Withdraw fee", C.WITHDRAWAL_FEE), ("Transfer fee", C.WITHDRAWAL_FEE),
    ("提现手续费", C.WITHDRAWAL_FEE), ("手续费", C.WITHDRAWAL_FEE),
    ("Currency exchange", C.FX_SPREAD), ("Currency conversion", C.FX_SPREAD), ("FX", C.FX_SPREAD),
    ("结汇", C.FX_SPREAD), ("换汇", C.FX_SPREAD), ("购汇", C.FX_SPREAD),
)


def _statement_rules(extra: tuple = ()) -> tuple:
    """A statement name may sit in the type column or the description: both are matched."""
    rules = []
    for name, category in _STATEMENT + extra:
        rules.append((name, "", "", category))
        rules.append(("", "", name, category))
    rules.append(("", "fee", "", C.WITHDRAWAL_FEE))
    return tuple(rules)


DEFAULT_RULES = {
    "paypal": (
        ("", "fee", "", C.TRANSACTION_FEE),
        ("Express Checkout Payment", "gross", "", C.PRINCIPAL),
        ("Website Payment", "gross", "", C.PRINCIPAL),
        ("Mobile Payment", "gross", "", C.PRINCIPAL),
        ("Payment Refund", "gross", "", C.REFUND),
        ("Chargeback", "", "", C.REFUND),
        ("Payment Reversal", "", "", C.REFUND),
        ("General Currency Conversion", "", "", C.FX_SPREAD),
        ("General Withdrawal", "", "", C.TRANSFER),
        ("General Withdrawal", "fee", "", C.WITHDRAWAL_FEE),
        ("Hold on Balance for Dispute Investigation", "", "", C.RESERVE),
        ("Reversal of General Account Hold", "", "", C.RESERVE),
    ),
    "stripe": (
        ("", "fee", "", C.TRANSACTION_FEE),
        ("charge", "amount", "", C.PRINCIPAL),
        ("payment", "amount", "", C.PRINCIPAL),
        ("refund", "amount", "", C.REFUND),
        ("payment_refund", "amount", "", C.REFUND),
        ("payout", "", "", C.TRANSFER),
        ("payout", "fee", "", C.WITHDRAWAL_FEE),
        ("stripe_fee", "", "", C.TRANSACTION_FEE),
        ("application_fee", "", "", C.SERVICE_FEE),
        ("adjustment", "", "", C.OTHER),
    ),
    "pingpong": _statement_rules(),
    "lianlian": _statement_rules(),
    "payoneer": _statement_rules((("Annual account fee", C.SUBSCRIPTION), ("Annual fee", C.SUBSCRIPTION),
                                  ("年费", C.SUBSCRIPTION))),
}
