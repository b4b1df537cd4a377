"""Metrics over stock (work in progress: nothing registered yet)."""
