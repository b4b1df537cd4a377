"""Suppliers, purchase orders, forecasts and replenishment (later issue)."""
