"""Trading venues from the ISO 10383 MIC registry."""
