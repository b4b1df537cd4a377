"""One :class:`chuhai.finance.fx.FxConverter` per process for the metric layer, rebuilt when the rates change.

A converter reads each currency's whole ECB series on first use (~0.3 s for two currencies); a dashboard asks for
several figures per page view. The converter is kept while the rate tables' fingerprint — row count and highest
id of the ECB rates, and count, highest id and sum of the manual rates — stays the same, so a new or changed
"my rate" or newly loaded ECB days are used by the next query. (Editing a stored ECB rate in place is not
something chuhai does; restart the process if you do it by hand.)
"""

from __future__ import annotations

import threading

from django.db.models import Count, Max, Sum

_lock = threading.Lock()
_cached: dict = {"key": None, "converter": None}


def _fingerprint() -> tuple:
    from chuhai.finance.models import FxRate, ManualFxRate

    ecb = FxRate.objects.aggregate(n=Count("id"), top=Max("id"))
    manual = ManualFxRate.objects.aggregate(n=Count("id"), top=Max("id"), total=Sum("rate"),
                                            last=Max("valid_from"))
    return (ecb["n"], ecb["top"], manual["n"], manual["top"], manual["total"], manual["last"])


def converter():
    """The process's converter, current with the stored rates."""
    from django.db import connection

    from chuhai.finance.fx import FxConverter

    key = (connection.settings_dict.get("NAME"), _fingerprint())
    with _lock:
        if _cached["key"] != key:
            _cached.update(key=key, converter=FxConverter())
        return _cached["converter"]
