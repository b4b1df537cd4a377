"""Shopee: the Seller Centre order export (XLSX, or CSV), localised per market."""
