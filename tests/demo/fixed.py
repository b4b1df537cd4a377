"""Fixed inputs of the demo tests."""

import datetime as dt

#: A fixed load time, so the demo year (and its Black Friday, 11.11, Prime Day) is the same on every run:
#: 10 December 2026 in Shanghai. The bundled ECB history covers it (provisionally after its last day).
NOW = dt.datetime(2026, 12, 10, 4, 0, tzinfo=dt.UTC)
ORDERS = 3000
