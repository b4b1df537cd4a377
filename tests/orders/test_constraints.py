import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from chuhai.channels.services import create_account
from chuhai.orders.models import Order, OrderLine


def _order(account, external_id="112-0000001-0000001", **kw):
    values = dict(account=account, external_id=external_id, marketplace="US", status="shipped",
                  fulfilment_channel="fba", currency="USD", base_currency="CNY", fx_rate=Decimal("7.1"),
                  purchased_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
    values.update(kw)
    return Order.objects.create(**values)


@pytest.mark.django_db
def test_order_id_unique_per_account_not_globally():
    us, ca = create_account("AMZ-US", "amazon", "US"), create_account("AMZ-CA", "amazon", "CA")
    _order(us)
    _order(ca)  # same id on another store is another order
    with pytest.raises(IntegrityError), transaction.atomic():
        _order(us)


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [("status", "lost"), ("fulfilment_channel", "drone"),
                                         ("order_total", Decimal("-1")), ("fx_rate", Decimal("0"))])
def test_order_check_constraints(field, value):
    account = create_account("AMZ-US", "amazon", "US")
    with pytest.raises(IntegrityError), transaction.atomic():
        _order(account, **{field: value})


@pytest.mark.django_db
def test_order_lines_unique_and_positive():
    order = _order(create_account("AMZ-US", "amazon", "US"))
    OrderLine.objects.create(order=order, line_no=1, channel_sku="X", quantity=1, unit_price=Decimal("9.99"))
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(order=order, line_no=1, channel_sku="Y", quantity=1, unit_price=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(order=order, line_no=2, channel_sku="Y", quantity=0, unit_price=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        OrderLine.objects.create(order=order, line_no=3, channel_sku="Y", quantity=1, unit_price=Decimal("1"),
                                 item_tax=Decimal("-1"))


@pytest.mark.django_db
def test_credit_documents_may_carry_negative_totals_orders_may_not():
    account = create_account("UK-SHOP", "distributor", "GB")
    credit = _order(account, "C536379", document_type="credit", order_total=Decimal("-27.50"), currency="GBP")
    OrderLine.objects.create(order=credit, line_no=1, channel_sku="22423", quantity=-2, unit_price=Decimal("13.75"))
    assert credit.lines.get().item_amount == Decimal("-27.50")
    with pytest.raises(IntegrityError), transaction.atomic():
        _order(account, "536379", order_total=Decimal("-27.50"))
