"""Card payments through Stripe: authorise at checkout, capture, refund."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

import stripe

from shop.config import get_config
from shop.db import get_session, session_scope
from shop.events import payment_captured
from shop.models.payment import Payment, Payout, Refund
from shop.repositories.base import NotFoundError
from shop.repositories.payment_repository import PaymentRepository
from shop.services import notification_service
from .ledger import Ledger
from shop.utils.timeutil import utcnow

log = logging.getLogger(__name__)

stripe.api_key = get_config().stripe_api_key


class PaymentError(Exception):
    """The payment provider refused or failed an operation."""


@dataclass(frozen=True)
class AuthorizationResult:
    approved: bool
    payment_id: int | None = None
    decline_reason: str | None = None


def authorize_payment(order_id: int, amount_cents: int, currency: str, payment_token: str) -> AuthorizationResult:
    """Place a hold on the customer's card for the order total."""
    try:
        intent = stripe.PaymentIntent.create(
            amount=amount_cents,
            currency=currency.lower(),
            payment_method=payment_token,
            capture_method="manual",
            confirm=True,
            metadata={"order_id": str(order_id)},
            idempotency_key=f"authorize-order-{order_id}",
        )
    except stripe.error.CardError as exc:
        log.info("card declined for order %s: %s", order_id, exc.code)
        return AuthorizationResult(approved=False, decline_reason=exc.user_message or exc.code)
    except stripe.error.StripeError as exc:
        log.exception("stripe failure authorising order %s", order_id)
        raise PaymentError("payment provider unavailable") from exc

    if intent.status != "requires_capture":
        return AuthorizationResult(approved=False, decline_reason=f"unexpected status {intent.status}")

    with session_scope() as session:
        payment = PaymentRepository(session).add(
            Payment(
                order_id=order_id,
                provider="stripe",
                provider_ref=intent.id,
                status="authorised",
                amount_cents=amount_cents,
                currency=currency,
            )
        )
        payment_id = payment.id
    return AuthorizationResult(approved=True, payment_id=payment_id)


def capture_payment(payment_id: int, amount_cents: int | None = None, *, remote: bool = True) -> Payment:
    """Capture an authorised payment (``remote=False`` when Stripe already did)."""
    session = get_session()
    payment = PaymentRepository(session).get(payment_id)
    if payment is None:
        raise NotFoundError(f"payment {payment_id} not found")
    if payment.status == "captured":
        log.info("payment %s already captured", payment_id)
        return payment
    amount = amount_cents if amount_cents is not None else payment.amount_cents
    if amount > payment.amount_cents:
        raise PaymentError("cannot capture more than was authorised")
    if remote:
        try:
            stripe.PaymentIntent.capture(payment.provider_ref, amount_to_capture=amount)
        except stripe.error.StripeError as exc:
            log.exception("capture failed for payment %s", payment_id)
            raise PaymentError(str(exc)) from exc

    payment.status = "captured"
    payment.captured_cents = amount
    payment.captured_at = utcnow()
    Ledger(session).record_capture(payment, amount)
    session.commit()

    payment_captured.send(
        payment_id=payment.id,
        order_id=payment.order_id,
        amount_cents=amount,
        currency=payment.currency,
    )
    return payment


def refund_payment(order_id: int, reason: str) -> Refund | None:
    """Refund (or void) whatever was taken for an order."""
    session = get_session()
    payment = PaymentRepository(session).for_order(order_id)
    if payment is None:
        log.info("order %s has no payment; nothing to refund", order_id)
        return None

    if payment.status == "authorised":
        try:
            stripe.PaymentIntent.cancel(payment.provider_ref, cancellation_reason="requested_by_customer")
        except stripe.error.StripeError as exc:
            raise PaymentError(f"could not void payment {payment.id}") from exc
        payment.status = "voided"
        session.commit()
        return None

    amount = payment.refundable_cents
    if amount <= 0:
        log.info("payment %s already fully refunded", payment.id)
        return None
    try:
        stripe_refund = stripe.Refund.create(
            payment_intent=payment.provider_ref,
            amount=amount,
            metadata={"order_id": str(order_id), "reason": reason[:100]},
            idempotency_key=f"refund-order-{order_id}-{payment.refunded_cents}",
        )
    except stripe.error.StripeError as exc:
        log.exception("refund failed for order %s", order_id)
        raise PaymentError(str(exc)) from exc

    refund = PaymentRepository(session).add_refund(
        Refund(payment_id=payment.id, provider_ref=stripe_refund.id, amount_cents=amount, reason=reason[:200])
    )
    payment.refunded_cents += amount
    payment.status = "refunded"
    Ledger(session).record_refund(refund)
    session.commit()
    notification_service.send_refund_notice(order_id, amount, payment.currency)
    return refund


def handle_webhook(payload: bytes, signature: str) -> str:
    """Apply a Stripe webhook event; returns the event type handled."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, get_config().stripe_webhook_secret)
    except (ValueError, stripe.error.SignatureVerificationError) as exc:
        raise PaymentError("invalid webhook") from exc

    intent = event["data"]["object"]
    payments = PaymentRepository(get_session())
    if event["type"] == "payment_intent.succeeded":
        payment = payments.by_provider_ref(intent["id"])
        if payment is not None:
            capture_payment(payment.id, intent["amount_received"], remote=False)
    elif event["type"] == "payment_intent.payment_failed":
        payment = payments.by_provider_ref(intent["id"])
        if payment is not None:
            payment.status = "failed"
            payments.commit()
    elif event["type"] == "charge.refunded":
        payment = payments.by_provider_ref(intent.get("payment_intent", ""))
        if payment is not None:
            payment.refunded_cents = int(intent["amount_refunded"])
            payments.commit()
    else:
        log.debug("ignoring stripe event %s", event["type"])
    return str(event["type"])


def settle_payouts(day: date) -> Payout | None:
    """Book the payout Stripe made to the bank for ``day``."""
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    transactions = stripe.BalanceTransaction.list(
        type="payout", created={"gte": int(start.timestamp()), "lt": int(start.timestamp()) + 86_400}, limit=100
    )
    gross = fees = 0
    for txn in transactions.auto_paging_iter():
        gross += -int(txn["amount"])
        fees += int(txn["fee"])
    if gross == 0:
        log.info("no payout on %s", day)
        return None
    with session_scope() as session:
        payout = Payout(settlement_date=start, gross_cents=gross, fees_cents=fees, net_cents=gross - fees)
        PaymentRepository(session).add_payout(payout)
        Ledger(session).record_payout(payout)
    return payout


def get_payment_for_order(order_id: int) -> Payment:
    payment = PaymentRepository(get_session()).for_order(order_id)
    if payment is None:
        raise NotFoundError(f"no payment for order {order_id}")
    return payment
