"""Warehouses and (later) the append-only stock ledger, reservations and allocation."""
