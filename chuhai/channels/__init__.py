"""Channel accounts (many stores per platform); one package per platform holds its parsers, API client and mapping."""
