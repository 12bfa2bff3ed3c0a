"""Command modules for the pharmacy app."""
