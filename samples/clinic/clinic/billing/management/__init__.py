"""Management commands for the billing app."""
