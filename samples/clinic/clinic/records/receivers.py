"""Records files visit notes and lab reports into the chart as they happen."""
from __future__ import annotations

import logging

from django.db.models.signals import post_save
from django.dispatch import receiver

from clinic.core.signals import appointment_completed
from clinic.lab.models import LabResult

from . import services

logger = logging.getLogger(__name__)


@receiver(appointment_completed, dispatch_uid="records.add_visit_note_on_completion")
def add_visit_note_on_completion(sender, appointment, notes: str = "", diagnosis_codes=(), **kwargs) -> None:
    services.add_visit_note(appointment.patient_id, appointment.pk, appointment.provider_id, notes,
                            diagnosis_codes)


@receiver(post_save, sender=LabResult, dispatch_uid="records.attach_lab_result_to_chart")
def attach_lab_result_to_chart(sender, instance, created: bool = False, **kwargs) -> None:
    """File final and amended results (with their report text) as chart documents."""
    if instance.status == "preliminary":
        return
    title = f"{instance.order.test.name}: {instance.value} {instance.unit}".strip()
    if instance.status == "amended":
        title = f"[AMENDED] {title}"
    services.attach_lab_document(instance.patient_id, instance.pk, title, instance.report_text)
