"""Synthetic data: bundled samples and national-scale sets, seeded and reproducible."""
