"""Management commands for the notifications app."""
