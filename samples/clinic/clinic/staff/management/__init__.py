"""Management commands for the staff app."""
