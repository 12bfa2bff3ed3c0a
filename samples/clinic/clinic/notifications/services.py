"""Sending messages. Callers fire and forget: every send is logged in the outbox."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from clinic.core.clients import ApiClient
from clinic.core.exceptions import ExternalServiceError, NotFound
from clinic.core.utils import mask_phone, normalize_phone
from clinic.patients.services import get_contact_preferences

from .models import Channel, Notification, NotificationTemplate

if TYPE_CHECKING:
    from clinic.patients.models import Patient

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4

_sms_client: ApiClient | None = None


def _sms() -> ApiClient:
    global _sms_client
    if _sms_client is None:
        _sms_client = ApiClient("sms-gateway", settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN, timeout=5)
    return _sms_client


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_template(key: str, channel: str, context: dict[str, Any], language: str = "en") -> tuple[str, str]:
    """Return (subject, body) for a template, falling back to English."""
    template = (
        NotificationTemplate.objects.filter(key=key, channel=channel, language=language, is_active=True).first()
        or NotificationTemplate.objects.filter(key=key, channel=channel, language="en", is_active=True).first()
    )
    if template is None:
        raise NotFound(f"No active {channel} template named {key!r}")
    values = _SafeDict(context)
    return template.subject.format_map(values), template.body.format_map(values)


def format_greeting(patient: "Patient") -> str:
    """Salutation used at the top of emails, e.g. "Dear Maria"."""
    first = (patient.first_name or "").strip()
    return f"Dear {first}" if first else "Dear patient"


def _deliver(notification: Notification) -> Notification:
    notification.attempts += 1
    try:
        if notification.channel == Channel.SMS:
            reply = _sms().post("messages", {"from": settings.SMS_SENDER_NUMBER, "to": notification.recipient,
                                             "body": notification.body})
            notification.provider_message_id = reply.get("sid", "")
        else:
            EmailMessage(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL,
                         [notification.recipient]).send(fail_silently=False)
    except (ExternalServiceError, OSError) as exc:
        notification.status = Notification.Status.FAILED
        notification.error = str(exc)[:2000]
        logger.warning("Delivery of notification %s failed (attempt %d): %s",
                       notification.pk, notification.attempts, exc)
    else:
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.error = ""
    notification.save()
    return notification


def send_sms(to: str, body: str, *, patient_id: int | None = None, template_key: str = "") -> Notification | None:
    """Send a text message now; returns the outbox row, or None if the number is unusable."""
    phone = normalize_phone(to)
    if phone is None:
        logger.info("Not sending SMS to unusable number %s", mask_phone(to))
        return None
    if len(body) > 640:
        body = body[:637] + "..."
    notification = Notification.objects.create(patient_id=patient_id, channel=Channel.SMS, recipient=phone,
                                               body=body, template_key=template_key)
    return _deliver(notification)


def send_email(to: str, subject: str, body: str, *, patient_id: int | None = None,
               template_key: str = "") -> Notification | None:
    """Send an email now; returns the outbox row, or None without a recipient."""
    if not to or "@" not in to:
        logger.info("Not sending email %r: no usable recipient", subject)
        return None
    notification = Notification.objects.create(patient_id=patient_id, channel=Channel.EMAIL, recipient=to,
                                               subject=subject[:150], body=body, template_key=template_key)
    return _deliver(notification)


def notify_patient(patient_id: int, template_key: str, context: dict[str, Any]) -> list[Notification]:
    """Render a template and send it on the patient's preferred channel (falling back to the other)."""
    prefs = get_contact_preferences(patient_id)
    if prefs["channel"] == "none":
        logger.info("Patient %s opted out of notifications; skipping %s", patient_id, template_key)
        return []
    context = {"first_name": prefs["first_name"], **context}
    order = [Channel.SMS, Channel.EMAIL] if prefs["channel"] == "sms" else [Channel.EMAIL, Channel.SMS]
    sent: list[Notification] = []
    for channel in order:
        address = prefs["phone"] if channel == Channel.SMS else prefs["email"]
        if not address:
            continue
        try:
            subject, body = render_template(template_key, channel, context, prefs["language"])
        except NotFound:
            logger.error("Template %s missing for channel %s", template_key, channel)
            continue
        if channel == Channel.SMS:
            result = send_sms(address, body, patient_id=patient_id, template_key=template_key)
        else:
            result = send_email(address, subject, body, patient_id=patient_id, template_key=template_key)
        if result is not None and result.status == Notification.Status.SENT:
            sent.append(result)
            break
    if not sent:
        logger.warning("Could not reach patient %s for %s", patient_id, template_key)
    return sent


def retry_failed(limit: int = 200) -> int:
    """Re-attempt failed messages that still have attempts left."""
    failed = Notification.objects.filter(status=Notification.Status.FAILED, attempts__lt=MAX_ATTEMPTS)
    retried = 0
    for notification in failed.order_by("created_at")[:limit]:
        _deliver(notification)
        retried += 1
    return retried


def record_delivery_status(provider_message_id: str, status: str) -> bool:
    """Apply a delivery receipt from the SMS gateway webhook."""
    mapping = {"delivered": Notification.Status.DELIVERED, "failed": Notification.Status.FAILED,
               "undelivered": Notification.Status.FAILED}
    new_status = mapping.get(status.lower())
    if new_status is None:
        return False
    updated = Notification.objects.filter(provider_message_id=provider_message_id).update(status=new_status)
    return bool(updated)
