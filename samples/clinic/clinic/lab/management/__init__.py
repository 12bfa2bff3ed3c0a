"""Management commands for the lab app."""
