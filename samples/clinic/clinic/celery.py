"""Celery application for background jobs (reminders, claim submission, lab transmission)."""
from __future__ import annotations

import logging
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

logger = logging.getLogger(__name__)

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "mark-no-shows-every-15-minutes": {
        "task": "clinic.appointments.tasks.mark_no_shows_task",
        "schedule": crontab(minute="*/15"),
    },
    "retry-failed-notifications": {
        "task": "clinic.notifications.tasks.retry_failed_notifications",
        "schedule": crontab(minute="*/10"),
    },
    "reorder-low-stock-daily": {
        "task": "clinic.pharmacy.tasks.reorder_low_stock",
        "schedule": crontab(hour=6, minute=30),
    },
}


@app.task(bind=True, ignore_result=True)
def debug_task(self) -> None:
    """Log the request context; used to smoke-test a worker deployment."""
    logger.info("Celery request: %r", self.request)
