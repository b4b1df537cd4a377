"""eBay's money-line vocabulary mapped onto our fee categories (the default; finance's mappings win over it).

Rules are ``(transaction_type, amount_type, amount_description, category)``, ``""`` = any, matched
case-insensitively, most specific wins (:mod:`chuhai.finance.categorise`).

Where the names come from: the Seller Hub *Transaction report* (Payments → Reports), one row per transaction with a
``Type`` (Order, Refund, Claim, Payment dispute, Shipping label, Other fee, Payout, Hold, Transfer…), money columns
(``Item subtotal``, ``Shipping and handling``, ``Seller collected tax``, ``eBay collected tax``, ``Final Value Fee -
fixed``, ``Final Value Fee - variable``, ``Very high "item not as described" fee``, ``Below standard performance
fee``, ``International fee``, ``Regulatory operating fee``, ``Deposit processing fee``) and a ``Description`` that
names other fees (``Insertion fee``, ``Promoted Listings - General fee``, ``Subscription fee``); and the Sell
Finances API, whose ``transactionType`` (SALE, REFUND, NON_SALE_CHARGE, SHIPPING_LABEL, TRANSFER, DISPUTE…) and
``feeType`` (FINAL_VALUE_FEE, FINAL_VALUE_FEE_FIXED_PER_ORDER, INSERTION_FEE, AD_FEE, INTERNATIONAL_FEE…) say the
same in codes. A parser stores one line per money column (``amount_type`` = the column's name, lower-cased) or per
API fee (``amount_type`` = the feeType). No eBay payments parser exists yet: other names appear on the Fee types
page to be mapped.
"""

from __future__ import annotations

from chuhai.finance.fees import FeeCategory as C

DEFAULT_RULES = (
    # Transaction report columns
    ("", "item subtotal", "", C.PRINCIPAL),
    ("", "shipping and handling", "", C.SHIPPING_INCOME),
    ("", "seller collected tax", "", C.TAX_COLLECTED),
    ("", "ebay collected tax", "", C.MARKETPLACE_TAX),
    ("", "final value fee - fixed", "", C.REFERRAL_FEE),
    ("", "final value fee - variable", "", C.REFERRAL_FEE),
    ("", 'very high "item not as described" fee', "", C.SERVICE_FEE),
    ("", "below standard performance fee", "", C.SERVICE_FEE),
    ("", "international fee", "", C.TRANSACTION_FEE),
    ("", "regulatory operating fee", "", C.SERVICE_FEE),
    ("", "deposit processing fee", "", C.TRANSACTION_FEE),
    ("", "charity donation", "", C.OTHER),
    ("Refund", "item subtotal", "", C.REFUND),
    ("Refund", "shipping and handling", "", C.REFUND),
    ("Claim", "", "", C.REFUND),
    ("Payment dispute", "", "", C.REFUND),
    ("Shipping label", "", "", C.SHIPPING_LABEL),
    ("Payout", "", "", C.TRANSFER),
    ("Transfer", "", "", C.TRANSFER),
    ("Hold", "", "", C.RESERVE),
    ("Other fee", "", "", C.SERVICE_FEE),
    ("", "", "Final Value Fee", C.REFERRAL_FEE),
    ("", "", "Insertion fee", C.SERVICE_FEE),
    ("", "", "Promoted Listings - General fee", C.ADVERTISING),
    ("", "", "Promoted Listings - Priority fee", C.ADVERTISING),
    ("", "", "Subscription fee", C.SUBSCRIPTION),
    # Sell Finances API codes
    ("SALE", "", "", C.PRINCIPAL),
    ("REFUND", "", "", C.REFUND),
    ("DISPUTE", "", "", C.REFUND),
    ("SHIPPING_LABEL", "", "", C.SHIPPING_LABEL),
    ("NON_SALE_CHARGE", "", "", C.SERVICE_FEE),
    ("", "FINAL_VALUE_FEE", "", C.REFERRAL_FEE),
    ("", "FINAL_VALUE_FEE_FIXED_PER_ORDER", "", C.REFERRAL_FEE),
    ("", "INSERTION_FEE", "", C.SERVICE_FEE),
    ("", "AD_FEE", "", C.ADVERTISING),
    ("", "INTERNATIONAL_FEE", "", C.TRANSACTION_FEE),
    ("", "REGULATORY_OPERATING_FEE", "", C.SERVICE_FEE),
)
