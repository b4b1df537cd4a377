"""Metrics over advertising (work in progress: nothing registered yet)."""
