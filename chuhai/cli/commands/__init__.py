"""One module per command group; each has ``register(subparsers)`` and sets ``run`` on its parsers."""

from __future__ import annotations

from . import (
    accounts,
    demo,
    fx,
    imports,
    inbound,
    init,
    manage,
    products,
    serve,
    stats,
    stock,
    users,
    warehouses,
)

#: In the order ``chuhai --help`` lists them.
COMMANDS = (init, serve, demo, users, accounts, warehouses, products, stock, inbound, imports, stats, fx, manage)
