"""Command modules for the insurance app."""
