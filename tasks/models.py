"""Task models arrive with the tasks API."""
