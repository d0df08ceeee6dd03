"""Seeded generators: campaign figures, recap spreadsheets and facility data that tell one story."""
