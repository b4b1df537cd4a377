"""eBay: the Seller Hub Orders report (CSV, US and UK/EU header names)."""
