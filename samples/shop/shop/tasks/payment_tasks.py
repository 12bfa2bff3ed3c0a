"""Background payment work: refunds and daily settlement."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task

from shop.db import SessionLocal
from shop.services import payment_service
from shop.utils.timeutil import utcnow

log = logging.getLogger(__name__)


@shared_task(
    name="payments.refund_order_payment",
    bind=True,
    autoretry_for=(payment_service.PaymentError,),
    retry_backoff=True,
    max_retries=6,
)
def refund_order_payment(self, order_id: int, reason: str = "order cancelled") -> int | None:
    """Refund or void the payment of a cancelled order."""
    try:
        refund = payment_service.refund_payment(order_id, reason)
    finally:
        SessionLocal.remove()
    if refund is None:
        log.info("order %s: payment voided or nothing to refund", order_id)
        return None
    log.info("order %s: refunded %d cents as refund %s", order_id, refund.amount_cents, refund.id)
    return refund.id


@shared_task(name="payments.settle_daily_payouts")
def settle_daily_payouts(days_back: int = 1) -> list[str]:
    """Book yesterday's (or older) Stripe payouts into the ledger."""
    booked: list[str] = []
    today = utcnow().date()
    try:
        for offset in range(days_back, 0, -1):
            day = today - timedelta(days=offset)
            payout = payment_service.settle_payouts(day)
            if payout is not None:
                booked.append(day.isoformat())
    finally:
        SessionLocal.remove()
    return booked
