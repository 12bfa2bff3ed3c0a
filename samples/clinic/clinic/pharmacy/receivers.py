"""Pharmacy turns medication orders placed during a visit into prescriptions."""
from __future__ import annotations

import logging

from django.dispatch import receiver

from clinic.core.exceptions import ClinicError
from clinic.core.signals import appointment_completed

from .services import create_prescription

logger = logging.getLogger(__name__)


@receiver(appointment_completed, dispatch_uid="pharmacy.review_medications_after_visit")
def review_medications_after_visit(sender, appointment, medication_orders=(), **kwargs) -> None:
    """Create a prescription for each medication ordered at the visit; log the ones that fail checks."""
    for order in medication_orders:
        try:
            create_prescription(
                appointment.patient_id,
                appointment.provider_id,
                order["ndc"],
                order.get("sig", "Use as directed"),
                int(order.get("quantity", 30)),
                refills=int(order.get("refills", 0)),
                appointment_id=appointment.pk,
            )
        except (ClinicError, KeyError, ValueError) as exc:
            logger.warning("Medication order %r from appointment %s needs pharmacist review: %s",
                           order, appointment.pk, exc)
