from decimal import Decimal

import pytest

from chuhai.catalog.services import create_product


@pytest.mark.django_db
def test_product_changes_are_recorded_with_the_user(client_as, role_users):
    product = create_product("CBL-01", name_en="USB-C cable", cost=Decimal("3.20"), cost_currency="CNY")
    from simple_history.utils import update_change_reason  # noqa: F401  (history works outside requests too)

    product._history_user = role_users["operations"]
    product.purchase_cost = Decimal("3.50")
    product.save()
    history = list(product.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert history[-1].history_user == role_users["operations"]
    delta = history[-1].diff_against(history[0])
    assert [c.field for c in delta.changes] == ["purchase_cost"]
