"""Management commands for the records app."""
