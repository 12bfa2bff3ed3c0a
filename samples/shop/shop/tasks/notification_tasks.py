"""Notification delivery tasks."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task

from shop.celery_app import celery
from shop.db import SessionLocal
from shop.services import notification_service

log = logging.getLogger(__name__)


@celery.task(name="notifications.send_shipping_update", bind=True, max_retries=5)
def send_shipping_update(self, order_id: int, status: str, tracking_number: str | None = None) -> None:
    """Tell the customer their parcel moved; retried while SMTP is down."""
    try:
        notification_service.send_shipping_update(order_id, status, tracking_number)
    except (smtplib.SMTPException, OSError) as exc:
        delay = 30 * (2**self.request.retries)
        log.warning("shipping update for order %s failed; retry in %ss", order_id, delay)
        raise self.retry(exc=exc, countdown=delay)
    finally:
        SessionLocal.remove()


@shared_task(name="notifications.retry_failed", ignore_result=True)
def retry_failed_notifications() -> int:
    try:
        retried = notification_service.retry_failed()
    finally:
        SessionLocal.remove()
    if retried:
        log.info("re-attempted %d notifications", retried)
    return retried
