"""Transactional e-mail: who gets told what, and when."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from shop.config import get_config
from shop.db import get_session, session_scope
from shop.events import order_placed, payment_captured
from shop.models.notification import Notification
from shop.repositories.notification_repository import NotificationRepository, PreferenceRepository
from shop.services import account_service
from shop.services.email_renderer import (
    RenderedEmail,
    render_cancellation,
    render_low_stock,
    render_order_confirmation,
    render_payment_receipt,
    render_refund,
    render_shipping_update,
    render_welcome,
)
from shop.utils.timeutil import utcnow

if TYPE_CHECKING:
    from shop.services.account_service import ContactInfo
    from shop.services.inventory_service import LowStockItem
    from shop.services.order_service import OrderSummary

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
TOPICS = ("account", "orders", "shipping", "marketing")


def _deliver(recipient: str, email: RenderedEmail) -> None:
    cfg = get_config()
    message = EmailMessage()
    message["From"] = cfg.mail_sender
    message["To"] = recipient
    message["Subject"] = email.subject
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    with smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=15) as smtp:
        smtp.send_message(message)


def _send(user_id: int | None, topic: str, template: str, recipient: str, email: RenderedEmail) -> Notification | None:
    """Persist the notification, honour opt-outs and try to deliver it once."""
    with session_scope() as session:
        if user_id is not None and not PreferenceRepository(session).is_enabled(user_id, "email", topic):
            log.info("user %s opted out of %s e-mails; skipping %s", user_id, topic, template)
            return None
        notification = Notification(
            user_id=user_id,
            channel="email",
            template=template,
            recipient=recipient,
            subject=email.subject,
            body=email.html,
            status="queued",
        )
        NotificationRepository(session).add(notification)
        _attempt(notification)
        return notification


def _attempt(notification: Notification) -> None:
    notification.attempts += 1
    try:
        _deliver(notification.recipient, RenderedEmail(subject=notification.subject or "", html=notification.body))
    except (smtplib.SMTPException, OSError) as exc:
        notification.last_error = str(exc)[:500]
        notification.status = "failed" if notification.attempts >= MAX_ATTEMPTS else "queued"
        log.warning("delivery of notification %s failed: %s", notification.id, exc)
    else:
        notification.status = "sent"
        notification.sent_at = utcnow()


def _recipient_for_order(order_id: int) -> tuple[ContactInfo, OrderSummary]:
    from shop.services import order_service

    summary = order_service.get_order_summary(order_id)
    contact = account_service.get_contact(summary.user_id)
    return contact, summary


def send_welcome_email(user_id: int) -> None:
    contact = account_service.get_contact(user_id)
    _send(user_id, "account", "welcome", contact.email, render_welcome(contact.first_name))


def send_order_confirmation(order_id: int) -> None:
    contact, summary = _recipient_for_order(order_id)
    email = render_order_confirmation(contact.first_name, summary)
    _send(contact.user_id, "orders", "order_confirmation", contact.email, email)


@order_placed.connect
def on_order_placed(sender: object, *, order_id: int, **_: Any) -> None:
    """Every placed order gets a confirmation e-mail."""
    try:
        send_order_confirmation(order_id)
    except Exception:
        log.exception("could not send confirmation for order %s", order_id)


def send_cancellation_notice(order_id: int, reason: str) -> None:
    contact, summary = _recipient_for_order(order_id)
    _send(contact.user_id, "orders", "order_cancelled", contact.email, render_cancellation(summary.number, reason))


def send_refund_notice(order_id: int, amount_cents: int, currency: str) -> None:
    contact, summary = _recipient_for_order(order_id)
    email = render_refund(summary.number, amount_cents, currency)
    _send(contact.user_id, "orders", "refund", contact.email, email)


def handle_payment_captured(sender: object, *, order_id: int, amount_cents: int, currency: str, **_: Any) -> None:
    """Send a payment receipt once the money has actually been taken."""
    contact, summary = _recipient_for_order(order_id)
    email = render_payment_receipt(summary.number, amount_cents, currency)
    _send(contact.user_id, "orders", "payment_receipt", contact.email, email)


payment_captured.connect(handle_payment_captured)


def send_shipping_update(order_id: int, status: str, tracking_number: str | None = None) -> None:
    contact, summary = _recipient_for_order(order_id)
    email = render_shipping_update(summary.number, status, tracking_number)
    _send(contact.user_id, "shipping", f"shipping_{status}", contact.email, email)


def alert_low_stock(items: Sequence[LowStockItem]) -> None:
    """E-mail the operations team a single digest of low-stock SKUs."""
    if not items:
        return
    rows = [{"sku": item.sku, "available": item.available, "threshold": item.threshold} for item in items]
    rows.sort(key=lambda row: row["available"])
    email = render_low_stock(rows)
    for recipient in get_config().ops_alert_emails:
        _send(None, "ops", "low_stock", recipient, email)


def retry_failed(limit: int = 200) -> int:
    """Re-attempt queued notifications whose first delivery failed."""
    retried = 0
    with session_scope() as session:
        for notification in NotificationRepository(session).queued(limit=limit):
            if notification.attempts == 0:
                continue
            _attempt(notification)
            retried += 1
    return retried


def preferences(user_id: int) -> dict[str, bool]:
    stored = {pref.topic: bool(pref.enabled) for pref in PreferenceRepository(get_session()).for_user(user_id)}
    return {topic: stored.get(topic, topic != "marketing") for topic in TOPICS}


def push_allowed(user_id: int, topic: str = "shipping") -> bool:
    """Live updates over the push gateway honour the same opt-outs as e-mail."""
    return PreferenceRepository(get_session()).is_enabled(user_id, "push", topic)


def update_preferences(user_id: int, changes: dict[str, bool]) -> dict[str, bool]:
    with session_scope() as session:
        prefs = PreferenceRepository(session)
        for topic, enabled in changes.items():
            if topic not in TOPICS:
                raise ValueError(f"unknown topic {topic}")
            prefs.upsert(user_id, "email", topic, bool(enabled))
    return preferences(user_id)
