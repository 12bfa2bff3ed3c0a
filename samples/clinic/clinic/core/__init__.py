"""Shared kernel: abstract base models, helpers and signal definitions used by every app.

Nothing in here owns a database table or imports from a feature app.
"""
