"""Orders from any CSV/XLSX described by a YAML mapping (issue 3's generic importer), and the platform-neutral
helpers the JSON and spreadsheet parsers share (country names, JSON documents, buyer references)."""
