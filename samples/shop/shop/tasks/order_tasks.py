"""Scheduled housekeeping for orders."""

from __future__ import annotations

import logging

from shop.celery_app import celery
from shop.db import SessionLocal
from shop.services import order_service

log = logging.getLogger(__name__)


@celery.task(name="orders.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders() -> int:
    """Cancel orders that were authorised but never captured in time."""
    try:
        expired = order_service.expire_unpaid_orders()
    finally:
        SessionLocal.remove()
    if expired:
        log.info("expired %d unpaid orders", expired)
    return expired


@celery.task(name="orders.cancel_order", bind=True, max_retries=3, default_retry_delay=30)
def cancel_order_async(self, order_id: int, reason: str) -> None:
    """Cancellation requested from the back office; retried on transient errors."""
    try:
        order_service.cancel_order(order_id, reason)
    except order_service.OrderError as exc:
        log.warning("order %s not cancelled: %s", order_id, exc)
    except Exception as exc:
        log.exception("cancel of order %s failed; retrying", order_id)
        raise self.retry(exc=exc)
    finally:
        SessionLocal.remove()
