"""Command modules for the lab app."""
