"""Shipments, tracking, shipping KPIs and returns (issue: fulfilment)."""
