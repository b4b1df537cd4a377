"""Writers turn canonical records into rows, idempotently: one module per record kind."""
