"""Reference data: regions and their history, name aliases, methods, service types, the campaign calendar."""
