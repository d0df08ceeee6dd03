"""Extractors: one module per source kind."""
