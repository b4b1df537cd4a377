"""The metric layer: every figure shown anywhere is defined here once."""
