"""Metrics over service levels (work in progress: nothing registered yet)."""
