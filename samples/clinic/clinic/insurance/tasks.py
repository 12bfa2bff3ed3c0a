"""Claim submission and eligibility refresh run on the worker."""
from __future__ import annotations

import logging

from celery import shared_task

from clinic.core.exceptions import ExternalServiceError, ValidationFailed

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=300, ignore_result=True)
def submit_claim(self, invoice_id: int) -> None:
    """Submit the claim for an invoice, retrying transient clearinghouse failures."""
    try:
        services.submit_claim_for_invoice(invoice_id)
    except ValidationFailed as exc:
        logger.warning("Claim for invoice %s not submitted: %s", invoice_id, exc.message)
    except ExternalServiceError as exc:
        if not exc.retryable:
            logger.error("Clearinghouse permanently rejected invoice %s: %s", invoice_id, exc)
            return
        raise self.retry(exc=exc) from exc


@shared_task(ignore_result=True)
def refresh_eligibility(patient_id: int) -> None:
    count = services.refresh_policy_eligibility(patient_id)
    logger.info("Eligibility refresh for patient %s: %d eligible policy(ies)", patient_id, count)
