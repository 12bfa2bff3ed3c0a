"""Command modules for the staff app."""
