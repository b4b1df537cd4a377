"""Shared foundations: company settings, money and currency rules, roles, API tokens, encryption."""
