"""Celery application and the periodic (beat) schedule."""

from __future__ import annotations

import logging

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

from shop.config import get_config
from shop.utils.logging_setup import configure_logging

log = logging.getLogger(__name__)

_cfg = get_config()

celery = Celery(
    "shop",
    broker=_cfg.redis_url,
    backend=_cfg.redis_url,
    include=[
        "shop.tasks.order_tasks",
        "shop.tasks.payment_tasks",
        "shop.tasks.inventory_tasks",
        "shop.tasks.shipping_tasks",
        "shop.tasks.notification_tasks",
        "shop.tasks.report_tasks",
        "shop.tasks.media_tasks",
    ],
)

celery.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_routes={
        "media.*": {"queue": "media"},
        "reports.*": {"queue": "reports"},
        "notifications.*": {"queue": "notifications"},
    },
)

celery.conf.beat_schedule = {
    "nightly-sales-report": {
        "task": "reports.nightly_sales_report",
        "schedule": crontab(hour=2, minute=15),
    },
    "expire-unpaid-orders": {
        "task": "orders.expire_unpaid_orders",
        "schedule": crontab(minute="*/10"),
    },
    "release-stale-reservations": {
        "task": "inventory.release_stale_reservations",
        "schedule": crontab(minute="*/5"),
    },
    "low-stock-sweep": {
        "task": "inventory.low_stock_sweep",
        "schedule": crontab(hour="*/1", minute=0),
    },
    "poll-carrier-tracking": {
        "task": "shipping.poll_carrier_tracking",
        "schedule": crontab(minute="*/30"),
    },
    "settle-daily-payouts": {
        "task": "payments.settle_daily_payouts",
        "schedule": crontab(hour=4, minute=0),
    },
    "retry-failed-notifications": {
        "task": "notifications.retry_failed",
        "schedule": crontab(minute="*/15"),
    },
}


@worker_process_init.connect
def _init_worker_logging(**_: object) -> None:
    """Give each forked worker the same structured logging as the web tier."""
    configure_logging(service="worker")
    log.info("celery worker process initialised")
