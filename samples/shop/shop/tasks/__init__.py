"""Celery tasks (background and scheduled work)."""
