"""Payment endpoints: Stripe webhook and back-office capture."""

from __future__ import annotations

import logging

from flask import Blueprint, request

from shop.repositories.base import NotFoundError
from shop.services import auth_service, payment_service
from shop.utils.http import ApiError, NotFound, ok
from shop.utils.money import format_money

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__)


@bp.route("/payments/webhook", methods=["POST"])
def stripe_webhook():
    signature = request.headers.get("Stripe-Signature", "")
    try:
        handled = payment_service.handle_webhook(request.get_data(), signature)
    except payment_service.PaymentError as err:
        log.warning("rejected webhook: %s", err)
        raise ApiError(400, "bad_webhook", str(err)) from err
    return ok({"received": handled})


@bp.route("/payments/<int:payment_id>/capture", methods=["POST"])
def capture(payment_id: int):
    staff_id = auth_service.require_role("finance")
    try:
        payment = payment_service.capture_payment(payment_id)
    except NotFoundError:
        raise NotFound("payment", payment_id) from None
    except payment_service.PaymentError as err:
        raise ApiError(502, "capture_failed", str(err)) from err
    log.info("payment %s captured by %s", payment_id, staff_id)
    return ok({"id": payment.id, "status": payment.status, "captured": format_money(payment.captured_cents)})


@bp.get("/orders/<int:order_id>/payment")
def payment_for_order(order_id: int):
    staff_id = auth_service.require_role("finance")
    try:
        payment = payment_service.get_payment_for_order(order_id)
    except NotFoundError:
        raise NotFound("payment for order", order_id) from None
    log.debug("finance user %s viewed payment of order %s", staff_id, order_id)
    return ok(
        {
            "id": payment.id,
            "status": payment.status,
            "amount": format_money(payment.amount_cents, payment.currency),
            "captured": format_money(payment.captured_cents, payment.currency),
            "refunded": format_money(payment.refunded_cents, payment.currency),
            "refunds": [{"id": r.id, "amount_cents": r.amount_cents, "reason": r.reason} for r in payment.refunds],
        }
    )
