"""One module per command group; each has ``register(subparsers)`` and sets ``run`` on its parsers."""

from __future__ import annotations

from . import (
    accounts,
    advise,
    costs,
    demo,
    fba,
    finance,
    fx,
    health,
    imports,
    inbound,
    init,
    manage,
    metrics,
    products,
    profit,
    report,
    returns,
    serve,
    shipments,
    stats,
    stock,
    users,
    warehouses,
)

#: In the order ``chuhai --help`` lists them.
COMMANDS = (init, serve, demo, users, accounts, warehouses, products, stock, inbound, fba, shipments, returns, imports, stats, fx,
            finance, costs, profit, report,
            metrics, advise,
            health, manage)
