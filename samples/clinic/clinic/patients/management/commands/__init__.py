"""Command modules for the patients app."""
