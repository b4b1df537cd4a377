"""The ``chuhai`` console script."""
