"""Shopee's money-line vocabulary mapped onto our fee categories (the default; finance's mappings win over it).

Rules are ``(transaction_type, amount_type, amount_description, category)``, ``""`` = any, matched
case-insensitively, most specific wins (:mod:`chuhai.finance.categorise`).

Where the names come from: Seller Centre → My Income → *Income report* (XLSX, one row per released order), whose
money columns are the order's income breakdown: ``Original product price``, ``Seller product promotion``,
``Product discount rebate from Shopee``, ``Seller voucher``, ``Seller absorbed coin cashback``, ``Buyer paid
shipping fee``, ``Shipping fee rebate from Shopee``, ``Actual shipping fee``, ``Reverse shipping fee``,
``Commission fee``, ``Service fee``, ``Transaction fee``, ``AMS commission fee`` (affiliate marketing),
``Refund amount``, ``Withholding tax``; ``Total released amount`` is their sum (a check, never a line). A parser
stores one line per money column with ``amount_type`` = the column's name, as the Amazon Date Range parser does.
No Shopee income parser exists yet: other names (they vary by market and language) appear on the Fee types page.
"""

from __future__ import annotations

from chuhai.finance.fees import FeeCategory as C

DEFAULT_RULES = (
    ("", "original product price", "", C.PRINCIPAL),
    ("", "seller product promotion", "", C.PROMOTION),
    ("", "product discount rebate from shopee", "", C.PROMOTION),
    ("", "seller voucher", "", C.COUPON_DEAL),
    ("", "seller absorbed coin cashback", "", C.COUPON_DEAL),
    ("", "buyer paid shipping fee", "", C.SHIPPING_INCOME),
    ("", "shipping fee rebate from shopee", "", C.SHIPPING_INCOME),
    ("", "actual shipping fee", "", C.FULFILMENT_FEE),
    ("", "reverse shipping fee", "", C.FULFILMENT_FEE),
    ("", "commission fee", "", C.REFERRAL_FEE),
    ("", "service fee", "", C.SERVICE_FEE),
    ("", "transaction fee", "", C.TRANSACTION_FEE),
    ("", "ams commission fee", "", C.ADVERTISING),
    ("", "refund amount", "", C.REFUND),
    ("", "withholding tax", "", C.MARKETPLACE_TAX),
)
