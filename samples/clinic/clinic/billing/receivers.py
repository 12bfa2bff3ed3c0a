"""Billing reacts to completed visits and dispensed prescriptions."""
from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from clinic.appointments.models import Appointment
from clinic.core.signals import appointment_completed
from clinic.pharmacy.models import Prescription
from clinic.pharmacy.services import get_medication_price

from .models import InvoiceLine
from .services import InvoiceService, open_medication_invoice

logger = logging.getLogger(__name__)


@receiver(appointment_completed, sender=Appointment, dispatch_uid="billing.create_invoice_for_appointment")
def create_invoice_for_appointment(sender, appointment, procedure_codes=(), **kwargs) -> None:
    """Invoice the visit as soon as it is completed (the nightly run catches stragglers)."""
    try:
        InvoiceService().create_for_appointment(appointment, procedure_codes)
    except Exception:  # the nightly run will retry; never break visit completion
        logger.exception("Could not invoice appointment %s at completion", appointment.pk)


@receiver(post_save, sender=Prescription, dispatch_uid="billing.charge_for_prescription")
def charge_for_prescription(sender, instance, created: bool = False, **kwargs) -> None:
    """Add a medication line when a prescription is dispensed."""
    if instance.status != "dispensed":
        return
    reference = f"rx:{instance.pk}"
    if InvoiceLine.objects.filter(source_reference=reference).exists():
        return
    unit_price = get_medication_price(instance.medication_id)
    invoice = open_medication_invoice(instance.patient_id)
    InvoiceService().add_line(invoice, InvoiceLine.Kind.MEDICATION, instance.medication.ndc,
                              quantity=instance.quantity, unit_price=unit_price,
                              description=instance.medication.name, source_reference=reference)
    logger.info("Charged prescription %s to invoice %s", instance.pk, invoice.number)
