"""Rules about the company settings."""

from __future__ import annotations


def base_currency_locked() -> bool:
    """The base currency is fixed once an order exists: each order stores its rate to the base currency."""
    from chuhai.orders.models import Order

    return Order.objects.exists()
