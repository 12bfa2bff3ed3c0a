"""Command modules for the notifications app."""
