"""TikTok Shop: the Seller Center order export (CSV with BOM, or XLSX)."""
