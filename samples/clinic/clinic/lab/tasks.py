"""Lab worker tasks: order transmission and analyzer-file processing."""
from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from clinic.core.clients import ApiClient
from clinic.core.exceptions import ExternalServiceError

from . import services
from .models import LabOrder

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=8, default_retry_delay=120, ignore_result=True)
def transmit_order(self, order_id: int) -> None:
    """Send an order to the reference lab and store its accession number."""
    order = LabOrder.objects.select_related("test", "patient", "ordering_provider").get(pk=order_id)
    if order.status != LabOrder.Status.ORDERED:
        return
    client = ApiClient("reference-lab", settings.REFERENCE_LAB_URL, settings.REFERENCE_LAB_API_KEY, timeout=15)
    payload = {
        "test": order.test.loinc_code,
        "priority": order.priority,
        "patient": {"mrn": order.patient.mrn, "dob": order.patient.date_of_birth.isoformat(),
                    "sex": order.patient.sex},
        "ordering_npi": order.ordering_provider.npi,
    }
    try:
        reply = client.post("orders", payload)
    except ExternalServiceError as exc:
        raise self.retry(exc=exc) from exc
    order.accession_number = reply["accession"]
    order.status = LabOrder.Status.TRANSMITTED
    order.transmitted_at = timezone.now()
    order.save(update_fields=["accession_number", "status", "transmitted_at", "updated_at"])


@shared_task(time_limit=4 * 60 * 60, ignore_result=True)
def process_instrument_file(instrument_id: int, path: str) -> None:
    run = services.parse_instrument_file(instrument_id, Path(path))
    logger.info("Instrument run %s: %d processed, %d failed", run.pk, run.rows_processed, run.rows_failed)
