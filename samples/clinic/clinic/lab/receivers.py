"""Lab reacts to completed visits by placing the tests ordered during the visit."""
from __future__ import annotations

import logging

from django.dispatch import receiver

from clinic.core.exceptions import ClinicError
from clinic.core.signals import appointment_completed

from .services import order_lab_test

logger = logging.getLogger(__name__)


@receiver(appointment_completed, dispatch_uid="lab.create_standing_orders")
def create_standing_orders(sender, appointment, lab_orders=(), **kwargs) -> None:
    for loinc_code in lab_orders:
        try:
            order_lab_test(appointment.patient_id, appointment.provider_id, loinc_code,
                           appointment_id=appointment.pk)
        except ClinicError as exc:
            logger.warning("Could not place lab order %s for appointment %s: %s", loinc_code, appointment.pk,
                           exc.message)
