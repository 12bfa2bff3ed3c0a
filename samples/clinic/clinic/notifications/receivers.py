"""Reacts to business events from other apps by messaging patients."""
from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from clinic.core.signals import appointment_completed, invoice_paid
from clinic.lab.models import LabResult

from . import services

logger = logging.getLogger(__name__)


@receiver(appointment_completed, dispatch_uid="notifications.send_visit_summary")
def send_visit_summary(sender, appointment, **kwargs) -> None:
    """Email an after-visit summary to the patient."""
    patient = appointment.patient
    if not patient.email:
        return
    greeting = services.format_greeting(patient)
    codes = ", ".join(kwargs.get("diagnosis_codes") or [])
    body = (
        f"{greeting},\n\nThank you for visiting us on {appointment.starts_at:%B %d}. "
        f"Your visit summary is now available in the patient portal."
        + (f"\n\nDiagnoses recorded: {codes}" if codes else "")
    )
    services.send_email(patient.email, "Your visit summary", body, patient_id=patient.pk,
                        template_key="visit_summary")


@receiver(post_save, sender=LabResult, dispatch_uid="notifications.notify_lab_result_ready")
def notify_lab_result_ready(sender, instance, created: bool = False, **kwargs) -> None:
    """Tell the patient a final result is ready (critical values are phoned by a clinician)."""
    if instance.status != "final" or instance.flag == "critical":
        return
    services.notify_patient(instance.patient_id, "lab_result_ready", {"test_name": instance.order.test.name})


@receiver(post_save, sender="pharmacy.Prescription", dispatch_uid="notifications.notify_prescription_ready")
def notify_prescription_ready(sender, instance, created: bool = False, **kwargs) -> None:
    if instance.status != "ready":
        return
    services.notify_patient(instance.patient_id, "prescription_ready", {"medication": instance.medication.name})


@receiver(invoice_paid, dispatch_uid="notifications.send_payment_receipt")
def send_payment_receipt(sender, invoice, payment, **kwargs) -> None:
    email = invoice.patient.email
    if not email:
        logger.info("No email on file for invoice %s receipt", invoice.number)
        return
    body = (
        f"We received your payment of ${payment.amount} for invoice {invoice.number} "
        f"on {payment.received_at:%B %d, %Y}. Your balance on this invoice is now $0.00."
    )
    services.send_email(email, f"Receipt for invoice {invoice.number}", body, patient_id=invoice.patient_id,
                        template_key="payment_receipt")
