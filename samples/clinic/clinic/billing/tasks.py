"""Billing background jobs."""
from __future__ import annotations

import logging

from celery import shared_task

from clinic.notifications.tasks import send_email_task
from clinic.patients.models import Patient

from .models import Invoice
from .services import get_outstanding_balance

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def send_patient_statement(patient_id: int) -> None:
    """Email a statement of open invoices to the patient."""
    patient = Patient.objects.filter(pk=patient_id).only("email", "first_name").first()
    if patient is None or not patient.email:
        logger.info("No statement for patient %s: no email on file", patient_id)
        return
    invoices = Invoice.objects.filter(patient_id=patient_id, status=Invoice.Status.OPEN).order_by("due_on")
    lines = [f"{inv.number}  due {inv.due_on:%m/%d/%Y}  ${inv.balance}" for inv in invoices]
    if not lines:
        return
    balance = get_outstanding_balance(patient_id)
    body = "\n".join([f"Hello {patient.first_name},", "", "Open invoices:", *lines, "",
                      f"Total due: ${balance}"])
    send_email_task.apply_async(args=[patient.email, "Your statement", body], kwargs={"patient_id": patient_id},
                                queue="notifications")
