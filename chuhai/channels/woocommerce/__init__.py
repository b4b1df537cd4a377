"""WooCommerce REST API v3 dumps."""
