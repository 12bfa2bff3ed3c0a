"""Scheduled inventory maintenance."""

from __future__ import annotations

import logging

from shop.celery_app import celery
from shop.db import SessionLocal
from shop.services import inventory_service, notification_service

log = logging.getLogger(__name__)


@celery.task(name="inventory.release_stale_reservations", ignore_result=True)
def release_stale_reservations() -> int:
    try:
        return inventory_service.release_stale_reservations()
    finally:
        SessionLocal.remove()


@celery.task(name="inventory.low_stock_sweep", ignore_result=True)
def low_stock_sweep() -> int:
    """Find SKUs under the threshold and alert the operations team once."""
    try:
        low = inventory_service.find_low_stock()
        if not low:
            log.debug("no low-stock SKUs")
            return 0
        log.info("%d SKUs below threshold", len(low))
        notification_service.alert_low_stock(low)
        return len(low)
    finally:
        SessionLocal.remove()
