"""Riverside Family Clinic practice-management system.

Importing the Celery app here makes sure it is loaded when Django starts so that
``@shared_task`` picks it up.
"""
from .celery import app as celery_app

__all__ = ("celery_app",)
