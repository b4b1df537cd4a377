"""Service-level metrics: Amazon's account-health figures in the metric layer, meaning exactly what
:mod:`chuhai.analytics.fulfilment` computes (its names, definitions, targets and populations; tested equal to
:func:`chuhai.analytics.fulfilment.compute` over the same window).

The period ``[date_from, date_to]`` (company-local days) is fulfilment's window ``[start, end)``
(:func:`chuhai.analytics.fulfilment.date_window`), with ``end`` capped at now. Order KPIs count orders
*purchased* in it (``day`` = local purchase day), valid tracking counts shipments *shipped* in it (``day`` = local
ship day), on-time delivery shipments *delivered* in it (``day`` = local delivery day). An order still awaiting
shipment is late when its ship-by date is before the period's end (not each month's: a month of the trend is
judged as of the end of the whole period, which is how fulfilment judges a window).

- ``order_defect_rate``: real orders (not credit notes, not awaiting payment) with any defect ÷ real orders;
- ``negative_feedback_rate`` / ``a_to_z_claim_rate`` / ``chargeback_rate``: the same population, orders with a
  defect of that kind (the three parts of the order defect rate; an order with two kinds counts in both);
- ``cancel_rate``, ``late_shipment_rate``, ``valid_tracking_rate``, ``on_time_delivery_rate``: as fulfilment.

Dimensions: month, day, account, channel, marketplace (the order's). Permission: ``orders.view_order``.
Each KPI metric's ``extra["kpi"]`` names the :class:`chuhai.analytics.fulfilment.KpiDefinition` holding its
target (:func:`kpi_of`, :func:`status`); the per-kind rates have ``extra["part_of"] = "order_defect_rate"`` and no
target of their own.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuhai.analytics.fulfilment import (
    DEFAULT_HANDLING_DAYS,
    DEFAULT_TRANSIT_DAYS,
    KPIS,
    NO_DATA,
    NO_TARGET,
    KpiDefinition,
)

from . import engine
from .definitions import ORDER_PERMISSION, PERCENT, Aggregate, Metric, _percent, register
from .sources import Source, local_day, register_source

SERVICE = "service"
DIMENSIONS = ("month", "day", "account", "channel", "marketplace")
FILTERS = ("account", "channel", "marketplace")

#: Boolean columns of the relation: (population, counted) per figure.
FLAGS = ("odr_pop", "odr_hit", "nf_hit", "az_hit", "cb_hit", "cancel_pop", "cancel_hit", "late_pop", "late_hit",
         "track_pop", "track_hit", "otd_pop", "otd_hit")


def period_end(date_to: dt.date | None, tz: str) -> dt.datetime:
    """The end of fulfilment's window for the period: local midnight after ``date_to``, at most now."""
    now = timezone.now()
    if date_to is None:
        return now
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=ZoneInfo(tz))
    return min(end, now)


@register_source
class ServiceRows(Source):
    """Orders purchased in the period (order KPIs), shipments shipped in it (valid tracking) and shipments
    delivered in it (on-time delivery), each with the flags of :data:`FLAGS`."""

    name = SERVICE
    money_columns = ()

    def _bounds(self, column: str, sqlite: bool) -> str:
        where = []
        tz = ZoneInfo(self.tz)
        if self.date_from is not None:
            start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz).astimezone(dt.UTC)
            self.params["sl_start"] = start.replace(tzinfo=None) if sqlite else start
            where.append(f"{column} >= $sl_start")
        end = period_end(self.date_to, self.tz).astimezone(dt.UTC)
        self.params["sl_end"] = end.replace(tzinfo=None) if sqlite else end
        where.append(f"{column} < $sl_end")
        return " AND ".join(where)

    def relation(self) -> str:
        t = engine.table
        sqlite = engine.backend() == "sqlite"

        def select(day: str, flags: dict[str, str]) -> str:
            cols = ", ".join(f"{flags.get(f, 'FALSE')} AS {f}" for f in FLAGS)
            return (f"{local_day(day, sqlite, self.tz)} AS \"day\", acc.code AS account, acc.platform AS channel, "
                    f"o.marketplace AS marketplace, {cols}")

        handling = f"INTERVAL {int(DEFAULT_HANDLING_DAYS)} DAY"
        promise_days = f"INTERVAL {int(DEFAULT_TRANSIT_DAYS)} DAY"
        promise_both = f"INTERVAL {int(DEFAULT_HANDLING_DAYS + DEFAULT_TRANSIT_DAYS)} DAY"
        mf = "o.fulfilment_channel <> 'fba'"
        first = "fs.first_shipped_at"
        ship_by = f"COALESCE(o.ship_by, o.purchased_at + {handling})"
        order_flags = {
            "odr_pop": "TRUE",
            "odr_hit": "d.order_id IS NOT NULL",
            "nf_hit": "COALESCE(d.nf, FALSE)",
            "az_hit": "COALESCE(d.az, FALSE)",
            "cb_hit": "COALESCE(d.cb, FALSE)",
            "cancel_pop": mf,
            "cancel_hit": f"{mf} AND o.status = 'cancelled' AND {first} IS NULL",
            "late_pop": (f"{mf} AND o.status <> 'cancelled' AND ({first} IS NOT NULL OR "
                         f"(o.status IN ('unshipped', 'partially_shipped') AND {ship_by} < $sl_end))"),
            "late_hit": (f"{mf} AND o.status <> 'cancelled' AND (({first} IS NOT NULL AND {first} > {ship_by}) OR "
                         f"({first} IS NULL AND o.status IN ('unshipped', 'partially_shipped') "
                         f"AND {ship_by} < $sl_end))"),
        }
        valid = "s.tracking_number <> '' AND (sc.shipment_id IS NOT NULL OR s.status <> 'pending')"
        promise = f"COALESCE(o.ship_by + {promise_days}, o.purchased_at + {promise_both})"
        shipments = f"""{t('logistics_shipment')} s
                JOIN {t('orders_order')} o ON o.id = s.order_id
                JOIN {t('channels_channelaccount')} acc ON acc.id = o.account_id"""
        shipment_scope = f"o.document_type = 'order' AND {mf}"
        return f"""
            WITH d AS (
                SELECT order_id, bool_or(kind = 'negative_feedback') AS nf, bool_or(kind = 'a_to_z_claim') AS az,
                       bool_or(kind = 'chargeback') AS cb
                FROM {t('orders_orderdefect')} GROUP BY order_id),
            fs AS (SELECT order_id, MIN(shipped_at) AS first_shipped_at FROM {t('logistics_shipment')}
                   GROUP BY order_id),
            sc AS (SELECT DISTINCT shipment_id FROM {t('logistics_trackingevent')} WHERE status <> 'pending')
            SELECT {select('o.purchased_at', order_flags)}
            FROM {t('orders_order')} o
            JOIN {t('channels_channelaccount')} acc ON acc.id = o.account_id
            LEFT JOIN d ON d.order_id = o.id
            LEFT JOIN fs ON fs.order_id = o.id
            WHERE o.document_type = 'order' AND o.status <> 'pending' AND {self._bounds('o.purchased_at', sqlite)}
            UNION ALL
            SELECT {select('s.shipped_at', {'track_pop': 'TRUE', 'track_hit': valid})}
            FROM {shipments}
            LEFT JOIN sc ON sc.shipment_id = s.id
            WHERE {shipment_scope} AND {self._bounds('s.shipped_at', sqlite)}
            UNION ALL
            SELECT {select('s.delivered_at', {'otd_pop': 'TRUE', 'otd_hit': f's.delivered_at <= {promise}'})}
            FROM {shipments}
            WHERE {shipment_scope} AND s.delivered_at IS NOT NULL AND {self._bounds('s.delivered_at', sqlite)}"""


def _agg(id: str, flag: str) -> Aggregate:
    return Aggregate(id, SERVICE, f"COUNT(*) FILTER (WHERE {flag})")


def _rate(id, kpi: KpiDefinition, hit: str, pop: str, formula: str, name=None, definition=None) -> Metric:
    """A rate equal to fulfilment's ``kpi`` (``extra["kpi"]``), or, with its own name and definition, a part of
    it (``extra["part_of"]``: no target of its own)."""
    extra = {"part_of": kpi.id} if name else {"kpi": kpi.id}
    return Metric(id, name or kpi.name, PERCENT, SERVICE, definition or kpi.definition, formula, (hit, pop),
                  lambda a: _percent(a[hit], a[pop]), grain=_("order or shipment"), dimensions=DIMENSIONS,
                  filters=FILTERS, permission=ORDER_PERMISSION, extra=extra)


#: Layer metric id → the fulfilment KPI it equals (the per-defect-kind rates have none of their own).
KPI_METRICS = ("order_defect_rate", "cancel_rate", "late_shipment_rate", "valid_tracking_rate",
               "on_time_delivery_rate")
DEFECT_KIND_METRICS = ("negative_feedback_rate", "a_to_z_claim_rate", "chargeback_rate")

register(
    aggregates=tuple(_agg(f"sl_{flag}", flag) for flag in FLAGS),
    metrics=(
        _rate("order_defect_rate", KPIS["order_defect_rate"], "sl_odr_hit", "sl_odr_pop",
              "orders with any OrderDefect ÷ orders (document_type=order, status ≠ pending) purchased in the period "
              "× 100 (chuhai.analytics.fulfilment)"),
        _rate("negative_feedback_rate", KPIS["order_defect_rate"], "sl_nf_hit", "sl_odr_pop",
              "orders with a negative_feedback defect ÷ the order defect rate's orders × 100",
              _("Negative feedback rate"),
              _("Orders with negative feedback ÷ orders purchased in the period (awaiting-payment orders and "
                "credit notes excluded); one of the three parts of the order defect rate.")),
        _rate("a_to_z_claim_rate", KPIS["order_defect_rate"], "sl_az_hit", "sl_odr_pop",
              "orders with an a_to_z_claim defect ÷ the order defect rate's orders × 100",
              _("A-to-z claim rate"),
              _("Orders with an A-to-z Guarantee claim ÷ orders purchased in the period (awaiting-payment orders "
                "and credit notes excluded); one of the three parts of the order defect rate.")),
        _rate("chargeback_rate", KPIS["order_defect_rate"], "sl_cb_hit", "sl_odr_pop",
              "orders with a chargeback defect ÷ the order defect rate's orders × 100",
              _("Chargeback rate"),
              _("Orders with a credit card chargeback ÷ orders purchased in the period (awaiting-payment orders "
                "and credit notes excluded); one of the three parts of the order defect rate.")),
        _rate("cancel_rate", KPIS["cancel_rate"], "sl_cancel_hit", "sl_cancel_pop",
              "merchant-fulfilled orders cancelled with no shipment ÷ merchant-fulfilled orders purchased in the "
              "period × 100 (chuhai.analytics.fulfilment)"),
        _rate("late_shipment_rate", KPIS["late_shipment_rate"], "sl_late_hit", "sl_late_pop",
              "merchant-fulfilled orders first shipped after the ship-by date (ship_by, else purchase + handling "
              "days) or unshipped past it at the period's end ÷ those shipped or due × 100 "
              "(chuhai.analytics.fulfilment)"),
        _rate("valid_tracking_rate", KPIS["valid_tracking_rate"], "sl_track_hit", "sl_track_pop",
              "merchant-fulfilled shipments with a tracking number and a scan or status beyond pending ÷ "
              "merchant-fulfilled shipments shipped in the period × 100 (chuhai.analytics.fulfilment)"),
        _rate("on_time_delivery_rate", KPIS["on_time_delivery_rate"], "sl_otd_hit", "sl_otd_pop",
              "merchant-fulfilled shipments delivered by ship-by + transit days ÷ merchant-fulfilled shipments "
              "delivered in the period × 100 (chuhai.analytics.fulfilment)"),
    ),
)


def kpi_of(metric_id: str) -> KpiDefinition | None:
    """The fulfilment KPI (target, direction, source) a service-level metric is judged against, or None."""
    from .definitions import METRICS

    metric = METRICS.get(metric_id)
    kpi = metric.extra.get("kpi") if metric else None
    return KPIS.get(kpi) if kpi else None


def status(metric_id: str, value) -> str:
    """``pass`` / ``breach`` against the KPI's target (fulfilment's rule), ``no_data`` without a value,
    ``no_target`` for a metric without one."""
    kpi = kpi_of(metric_id)
    if kpi is None:
        return NO_DATA if value is None else NO_TARGET
    return kpi.status(value)
