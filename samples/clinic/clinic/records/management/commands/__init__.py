"""Command modules for the records app."""
