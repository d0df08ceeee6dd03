"""What people read: text tables, validation reports, run summaries."""
