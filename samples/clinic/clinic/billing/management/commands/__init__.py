"""Command modules for the billing app."""
