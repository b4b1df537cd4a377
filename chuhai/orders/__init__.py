"""Orders and order lines from every channel, unique per (account, external id)."""
