"""Own-site customer analytics and membership (later issue)."""
