"""Management commands for the insurance app."""
