"""VAT/sales-tax thresholds, certifications, data-protection duties (later issue)."""
