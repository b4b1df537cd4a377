"""Exchange rates (ECB history + manual overrides) and, later, the fee ledger, landed cost and profit."""
