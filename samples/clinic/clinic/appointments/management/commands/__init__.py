"""Command modules for the appointments app."""
