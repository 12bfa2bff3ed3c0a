"""Periodic scheduling jobs run by celery beat."""
from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def mark_no_shows_task() -> int:
    """Every 15 minutes: flag appointments that were never checked in."""
    count = services.mark_no_shows()
    logger.debug("mark_no_shows_task flagged %d appointment(s)", count)
    return count
