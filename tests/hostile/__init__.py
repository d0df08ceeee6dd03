"""Hostile input, faults and secrets: every case a careless or hostile user tried, kept so."""
