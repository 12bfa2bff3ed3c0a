"""Management commands for the patients app."""
