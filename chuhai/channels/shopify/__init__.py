"""Shopify: the admin's Orders CSV export."""
