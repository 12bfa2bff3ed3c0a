"""Pharmacy background jobs."""
from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from clinic.notifications.services import send_email

from .services import low_stock_report

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def reorder_low_stock() -> None:
    """Daily: email the pharmacy manager the list of medications below reorder level."""
    report = low_stock_report()
    if not report:
        logger.info("All formulary items above reorder level")
        return
    lines = [f"{row['ndc']}  {row['name']:<40} on hand {row['on_hand']:>5} (reorder at {row['reorder_level']})"
             for row in report]
    send_email(settings.PHARMACY_MANAGER_EMAIL, f"{len(report)} medication(s) need reordering", "\n".join(lines))
