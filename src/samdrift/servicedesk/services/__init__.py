"""Writes of the service desk: one module per feature (incidents, outages, mappings, reports)."""
