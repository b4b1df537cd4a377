"""The operating-model advisor (later issue)."""
