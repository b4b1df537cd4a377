"""Lazada Seller Center exports."""
