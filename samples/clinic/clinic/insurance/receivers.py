"""Insurance reacts to new patients and paid invoices."""
from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from clinic.core.signals import invoice_paid
from clinic.patients.models import Patient

from . import services
from .tasks import refresh_eligibility

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Patient, dispatch_uid="insurance.verify_new_patient_coverage")
def verify_new_patient_coverage(sender, instance, created: bool = False, **kwargs) -> None:
    """Kick off an eligibility check for newly registered patients."""
    if not created or kwargs.get("raw"):
        return
    refresh_eligibility.delay(instance.pk)


@receiver(invoice_paid, dispatch_uid="insurance.close_claim_on_payment")
def close_claim_on_payment(sender, invoice, payment, **kwargs) -> None:
    if not services.close_claim(invoice.pk, invoice.insurance_portion):
        logger.debug("Invoice %s had no claim to close", invoice.number)
