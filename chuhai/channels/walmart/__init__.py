"""Walmart Marketplace Orders API dumps."""
