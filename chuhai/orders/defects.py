"""Recording the defects buyers raise against orders (negative feedback, A-to-z claims, chargebacks).

They feed the order defect rate (:mod:`chuhai.analytics.fulfilment`). An order holds at most one defect of each
kind (a database constraint; Amazon counts an order once however often a buyer complains), so recording the
same defect twice — a double-clicked form, a retried API call — returns the one already there and changes
nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DefectKind, DocumentType, Order, OrderDefect

#: How far a defect's date may lie ahead of the server clock (a buyer in another time zone).
CLOCK_TOLERANCE = dt.timedelta(days=1)


def find_order(account_code: str, external_id: str) -> Order:
    """The order with this channel order id in this account, or a ``ValidationError`` naming what is missing."""
    order = Order.objects.select_related("account").filter(
        account__code=account_code, external_id=external_id.strip()).first()
    if order is None:
        raise ValidationError({"order": _("No order %(order)s in account %(account)s.") % {
            "order": external_id, "account": account_code}})
    return order


def record_defect(order: Order, kind: str, opened_at: dt.datetime | None = None, note: str = "",
                  user=None) -> tuple[OrderDefect, bool]:
    """Record a defect of ``kind`` against ``order``: ``(defect, created)``.

    Idempotent on (order, kind): when the order already has a defect of that kind, that one is returned with
    ``created=False`` and left unchanged. Raises ``ValidationError`` (field-keyed) for an unknown kind, a
    credit document, or a date before the purchase or in the future.
    """
    if kind not in DefectKind.values:
        raise ValidationError({"kind": _("Unknown defect %(kind)s: choose one of %(choices)s.") % {
            "kind": kind, "choices": ", ".join(DefectKind.values)}})
    if order.document_type != DocumentType.ORDER:
        raise ValidationError({"order": _("%(order)s is a credit document, not an order: a defect belongs to the "
                                          "original order.") % {"order": order.external_id}})
    opened_at = opened_at or timezone.now()
    if timezone.is_naive(opened_at):
        opened_at = timezone.make_aware(opened_at)
    if opened_at < order.purchased_at:
        raise ValidationError({"opened_at": _("The defect cannot be opened before the order was placed "
                                              "(%(purchased)s).") % {"purchased": order.purchased_at.date()}})
    if opened_at > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError({"opened_at": _("The defect date lies in the future.")})
    note = (note or "").strip()
    if len(note) > OrderDefect._meta.get_field("note").max_length:
        raise ValidationError({"note": _("The note is longer than 500 characters.")})
    existing = OrderDefect.objects.filter(order=order, kind=kind).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            defect = OrderDefect.objects.create(order=order, kind=kind, opened_at=opened_at, note=note,
                                                created_by=user)
    except IntegrityError:
        # Another request recorded the same defect between our look-up and the insert: the constraint decided.
        existing = OrderDefect.objects.filter(order=order, kind=kind).first()
        if existing is None:
            raise
        return existing, False
    return defect, True
