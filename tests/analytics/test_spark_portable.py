"""The metric definitions run on a distributed engine: a source exported to Parquet by DuckDB, the aggregates
transpiled to Spark SQL, the metrics finished in Python — the same rows as :func:`query.run` on DuckDB.

Data: tests/analytics/ml_builders.py (base CNY, Asia/Shanghai), figures worked out there. The Spark tests need the
``spark`` extra (``pip install -e '.[spark]'``; ``make test`` installs it under CI=true) and Java 17; they skip
without them unless CHUHAI_REQUIRE_SPARK is set (CI), where a missing piece fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal

import duckdb
import pytest

from chuhai.analytics.metric_layer import engine, portable
from chuhai.analytics.metric_layer.definitions import AGGREGATES, METRICS, ORDERS, PROFIT
from chuhai.analytics.metric_layer.query import MetricError, run

from .ml_builders import business

D = Decimal
REQUIRED = bool(os.environ.get("CHUHAI_REQUIRE_SPARK"))


def _missing(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} and CHUHAI_REQUIRE_SPARK is set (CI runs the Spark test)")
    pytest.skip(reason)


@pytest.fixture
def duck(transactional_db):
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        _missing("pyspark is not installed (pip install -e '.[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _missing("no Java runtime for Spark (Java 17)")
    work = tmp_path_factory.mktemp("spark")
    session = (SparkSession.builder.master("local[1]").appName("chuhai-portable-test")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.driver.memory", "1g")
               # A short-lived JVM: the C1 compiler and the serial collector start faster (≈ 35 % less wall time
               # for start-up and the queries here, measured on 2 CPUs).
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.local.dir", str(work / "local"))
               .config("spark.sql.warehouse.dir", str(work / "warehouse"))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def on_spark(spark, tmp_path, metrics, by, date_from=None, date_to=None, filters=None):
    """The portable path: DuckDB exports the filtered source, Spark aggregates it, finish() computes metrics."""
    source, _needs = portable.portable_aggregates(metrics, by)
    path = tmp_path / f"{source}-{'-'.join(by) or 'total'}.parquet"
    portable.export_source(source, path, date_from, date_to, filters)
    spark.read.parquet(str(path)).createOrReplaceTempView("src")
    rows = spark.sql(portable.aggregate_sql(metrics, by)).collect()
    return portable.finish(metrics, by, rows)


ORDER_METRICS = ["net_sales", "gmv", "units", "orders", "aov"]


def portable_metrics(source: str) -> list[str]:
    """Every metric of ``source`` that portable accepts (new definitions are covered without touching this test)."""
    out = []
    for metric in METRICS.values():
        if metric.source != source:
            continue
        try:
            portable.portable_aggregates([metric.id])
        except portable.NotPortable:
            continue
        out.append(metric.id)
    return out


def test_order_metrics_on_spark_equal_duckdb(duck, spark, tmp_path):
    business()
    by_month = run(ORDER_METRICS, by=["month"])
    # Jan: O1 only. net 134.90 + 181.05 = 315.95; gmv 156.20 + 181.05 = 337.25; units 2 + 1 = 3; 1 order.
    # Feb: O2 (Shanghai day 1 Feb) 42.40, O3 360.00, O4 credit −180.00, O7 129.60 → net 352.00;
    #      gmv 47.70 + 360.00 + 129.60 = 537.30 (credits not in GMV); units 1 + 2 − 1 + 3 = 5;
    #      orders O2, O3, O7 = 3 (a credit note is not an order); aov 352.00 / 3 = 117.333… → 117.33.
    assert by_month.rows == [
        {"month": "2026-01", "net_sales": D("315.95"), "gmv": D("337.25"), "units": 3, "orders": 1,
         "aov": D("315.95")},
        {"month": "2026-02", "net_sales": D("352.00"), "gmv": D("537.30"), "units": 5, "orders": 3,
         "aov": D("117.33")},
    ]
    assert on_spark(spark, tmp_path, ORDER_METRICS, ["month"]).rows == by_month.rows

    by_country = run(ORDER_METRICS, by=["ship_country"])
    # CA: O3 360.00 − O4 180.00 = 180.00, 1 order, units 2 − 1 = 1, gmv 360.00.
    # SG: 42.40 + 129.60 = 172.00, 2 orders → aov 86.00, units 1 + 3 = 4, gmv 47.70 + 129.60 = 177.30.
    # US: O1 315.95, gmv 337.25, 3 units.
    assert [(r["ship_country"], r["net_sales"], r["aov"]) for r in by_country.rows] == [
        ("CA", D("180.00"), D("180.00")), ("SG", D("172.00"), D("86.00")), ("US", D("315.95"), D("315.95"))]
    assert on_spark(spark, tmp_path, ORDER_METRICS, ["ship_country"]).rows == by_country.rows

    # Totals (no grouping), a date range and a filter go through the export: amazon in February is
    # O3 + O4 = 360.00 − 180.00 = 180.00, 1 order, 1 unit.
    feb, mar = dt.date(2026, 2, 1), dt.date(2026, 2, 28)
    totals = run(ORDER_METRICS, date_from=feb, date_to=mar, filters={"channel": "amazon"})
    assert totals.rows == [{"net_sales": D("180.00"), "gmv": D("360.00"), "units": 1, "orders": 1,
                            "aov": D("180.00")}]
    assert on_spark(spark, tmp_path, ORDER_METRICS, [], feb, mar, {"channel": "amazon"}).rows == totals.rows

    # Every portable order metric (refunds, return rate, …), by account and month.
    every = portable_metrics(ORDERS)
    assert {"refunds", "return_rate", *ORDER_METRICS} <= set(every)
    assert on_spark(spark, tmp_path, every, ["account", "month"]).rows == run(every, by=["account", "month"]).rows


def test_profit_metrics_on_spark_equal_duckdb(duck, spark, tmp_path):
    business()
    metrics = ["gross_profit", "contribution_margin", "margin_percent"]
    expected = run(metrics, by=["month"])
    # Jan: P1 GP 116.20, profit 96.20, margin 96.20 / 134.90 × 100 = 71.312… → 71.31.
    # Feb: GP 210.00 − 105.00 + 0 = 105.00; profit 146.00 − 105.00 − 5.50 = 35.50; 35.50 / 360.00 × 100 = 9.86.
    assert expected.rows == [
        {"month": "2026-01", "gross_profit": D("116.20"), "contribution_margin": D("96.20"),
         "margin_percent": D("71.31")},
        {"month": "2026-02", "gross_profit": D("105.00"), "contribution_margin": D("35.50"),
         "margin_percent": D("9.86")},
    ]
    assert on_spark(spark, tmp_path, metrics, ["month"]).rows == expected.rows
    every = portable_metrics(PROFIT)
    assert on_spark(spark, tmp_path, every, ["sku"]).rows == run(every, by=["sku"]).rows


def test_export_keeps_duckdb_rows_and_duckdb_dialect_round_trips(duck, tmp_path):
    """Without Spark: the export holds the filtered relation, exact decimals, and the untranspiled SQL over it
    gives run()'s rows."""
    business()
    path = tmp_path / "orders.parquet"
    # Sale and credit lines left after cancelled items/statuses: O1 ×2, O2 ×1, O3 ×1, O4 ×1, O7 ×1 = 6.
    assert portable.export_source("orders", path) == 6
    con = duckdb.connect()
    try:
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()}
        assert types["goods"].startswith("DECIMAL") and types["month"] == "VARCHAR"
        con.execute(f"CREATE VIEW src AS SELECT * FROM read_parquet('{path}')")
        sql = portable.aggregate_sql(ORDER_METRICS, ["month"], dialect="duckdb")
        cur = con.execute(sql)
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    assert portable.finish(ORDER_METRICS, ["month"], rows).rows == run(ORDER_METRICS, by=["month"]).rows


def test_per_customer_metrics_are_not_portable():
    for metric in ("customers", "new_customers", "returning_customers", "repeat_purchase_rate"):
        with pytest.raises(portable.NotPortable, match="per-customer"):
            portable.aggregate_sql(["orders", metric], ["month"])
    # Two-level aggregates and request totals (query.run runs several statements for them) are refused too, and
    # so are the sources no Spark test covers.
    for metric in METRICS.values():
        if metric.source not in portable.PORTABLE_SOURCES:
            with pytest.raises(portable.NotPortable, match="not checked on other engines"):
                portable.portable_aggregates([metric.id])
        if metric.extra.get("totals") or any(getattr(AGGREGATES[n], "inner", "") for n in metric.needs):
            with pytest.raises(portable.NotPortable, match="several statements"):
                portable.portable_aggregates([metric.id])
    with pytest.raises(MetricError, match="several sources"):
        portable.portable_aggregates(["net_sales", "gross_profit"])


def test_spark_sql_is_transpiled_from_the_definitions():
    pytest.importorskip("sqlglot", reason="sqlglot comes with the spark extra")
    sql = portable.aggregate_sql(["orders", "gmv"], ["ship_country"])
    # Spark quotes identifiers with backticks; the FILTER clauses of AGGREGATES survive as they are (spacing
    # varies between sqlglot versions, so it is ignored).
    assert "".join(sql.split()) == (
        "SELECT`ship_country`,COUNT(DISTINCTorder_id)FILTER(WHERENOTis_credit)AS`orders`,"
        "COALESCE(SUM(charged)FILTER(WHERENOTis_credit),0)AS`gmv`FROMsrcGROUPBY`ship_country`")
    assert portable.aggregate_sql(["units"], [], table="sales") == "SELECT COALESCE(SUM(quantity), 0) AS `units` FROM sales"
