"""Management commands for the appointments app."""
