"""Management commands for the pharmacy app."""
