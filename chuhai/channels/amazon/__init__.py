"""Amazon Seller Central reports: orders, settlements, transactions, FBA inventory and returns, ads."""
