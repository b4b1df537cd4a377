"""The metric layer: every metric defined once (:mod:`.definitions`), computed by DuckDB over the operational
database (:mod:`.engine`, :mod:`.query`). Pages, the CLI, the API and exports call :func:`run`."""

from .definitions import DIMENSIONS, FILTERS, METRICS, Dimension, Metric, definitions_data
from .query import MetricError, Result, check, required_permissions, run, split_ids

__all__ = ["DIMENSIONS", "FILTERS", "METRICS", "Dimension", "Metric", "MetricError", "Result", "check",
           "definitions_data", "required_permissions", "run", "split_ids"]
