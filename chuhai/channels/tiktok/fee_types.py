"""TikTok Shop's money-line vocabulary mapped onto our fee categories (the default; finance's mappings win).

Rules are ``(transaction_type, amount_type, amount_description, category)``, ``""`` = any, matched
case-insensitively, most specific wins (:mod:`chuhai.finance.categorise`).

Where the names come from: Seller Center → Finance → Statements → export of the order details (and the Finance
API's statement transactions), whose money columns are ``Subtotal before discounts``, ``Seller discounts``,
``Refund subtotal after seller discounts``, ``Customer shipping fee`` / ``Customer-paid shipping fee``,
``Platform shipping fee discount``, ``Actual shipping fee``, ``Transaction fee``, ``TikTok Shop commission fee``
(formerly ``Referral fee``), ``Affiliate commission``, ``Affiliate partner commission``, ``Affiliate Shop Ads
commission``, ``SFP service fee``, ``Voucher Xtra service fee``, ``Sales tax``; ``Total settlement amount`` is
their sum (a check, never a line). A parser stores one line per money column with ``amount_type`` = the column's
name. No TikTok statement parser exists yet: other names appear on the Fee types page to be mapped.
"""

from __future__ import annotations

from chuhai.finance.fees import FeeCategory as C

DEFAULT_RULES = (
    ("", "subtotal before discounts", "", C.PRINCIPAL),
    ("", "seller discounts", "", C.PROMOTION),
    ("", "refund subtotal after seller discounts", "", C.REFUND),
    ("", "customer shipping fee", "", C.SHIPPING_INCOME),
    ("", "customer-paid shipping fee", "", C.SHIPPING_INCOME),
    ("", "platform shipping fee discount", "", C.SHIPPING_INCOME),
    ("", "actual shipping fee", "", C.FULFILMENT_FEE),
    ("", "transaction fee", "", C.TRANSACTION_FEE),
    ("", "tiktok shop commission fee", "", C.REFERRAL_FEE),
    ("", "referral fee", "", C.REFERRAL_FEE),
    ("", "affiliate commission", "", C.ADVERTISING),
    ("", "affiliate partner commission", "", C.ADVERTISING),
    ("", "affiliate shop ads commission", "", C.ADVERTISING),
    ("", "sfp service fee", "", C.SERVICE_FEE),
    ("", "voucher xtra service fee", "", C.SERVICE_FEE),
    ("", "sales tax", "", C.MARKETPLACE_TAX),
)
