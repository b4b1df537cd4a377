"""Pages for the core entities: lists with filters and exports, details, and forms."""
