"""Contracts: one Pandera model per kind of report, the single source of truth for its columns."""
