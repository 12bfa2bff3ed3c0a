"""Celery tasks other apps enqueue to send messages off the request path."""
from __future__ import annotations

import logging

from celery import shared_task

from clinic.core.exceptions import NotFound

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def send_reminder(appointment_id: int) -> None:
    """Remind a patient about an upcoming visit, unless it was cancelled meanwhile."""
    # Imported lazily: appointments.services imports this module to enqueue reminders.
    from clinic.appointments.services import get_appointment_details

    try:
        details = get_appointment_details(appointment_id)
    except NotFound:
        logger.info("Appointment %s vanished before its reminder was sent", appointment_id)
        return
    if details["status"] != "scheduled":
        logger.info("Skipping reminder for appointment %s (%s)", appointment_id, details["status"])
        return
    template = "appointment_reminder_telehealth" if details["is_telehealth"] else "appointment_reminder"
    services.notify_patient(details["patient_id"], template, {
        "provider_name": details["provider_name"],
        "starts_at": details["starts_at"],
        "visit_type": details["type"],
    })


@shared_task(ignore_result=True)
def send_email_task(to: str, subject: str, body: str, patient_id: int | None = None) -> None:
    """Queue-friendly wrapper around :func:`services.send_email`."""
    services.send_email(to, subject, body, patient_id=patient_id)


@shared_task(ignore_result=True)
def retry_failed_notifications() -> None:
    retried = services.retry_failed()
    if retried:
        logger.info("Retried %d failed notification(s)", retried)
