"""chuhai (出海): a self-hosted operations hub for cross-border e-commerce sellers."""

__version__ = "0.1.0"
