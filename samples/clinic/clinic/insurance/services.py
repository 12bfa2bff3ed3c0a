"""Eligibility and claims. Eligibility is answered synchronously because callers branch on it."""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clinic.core.clients import ApiClient
from clinic.core.exceptions import ExternalServiceError, NotFound, ValidationFailed
from clinic.core.utils import money, percent_of
from clinic.patients.models import Patient

from .models import Claim, EligibilityCheck, Policy

logger = logging.getLogger(__name__)

ELIGIBILITY_CACHE_DAYS = 7


def _clearinghouse() -> ApiClient:
    return ApiClient("clearinghouse", settings.CLEARINGHOUSE_URL, settings.CLEARINGHOUSE_API_KEY, timeout=8)


def get_primary_policy(patient_id: int, on: dt.date | None = None) -> Policy | None:
    on = on or timezone.localdate()
    return (
        Policy.objects.filter(patient_id=patient_id, is_primary=True, is_active=True, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .select_related("payer")
        .first()
    )


def check_eligibility(patient_id: int, service_date: dt.date) -> bool:
    """Is the patient's primary policy active for ``service_date``? Cached for a week."""
    policy = get_primary_policy(patient_id, service_date)
    if policy is None:
        return False
    recent = EligibilityCheck.objects.filter(
        policy=policy,
        service_date=service_date,
        created_at__gte=timezone.now() - dt.timedelta(days=ELIGIBILITY_CACHE_DAYS),
    ).order_by("-created_at").first()
    if recent is not None:
        return recent.is_eligible
    if not policy.payer.supports_realtime_eligibility:
        logger.info("Payer %s has no realtime eligibility; trusting policy dates", policy.payer.payer_code)
        return True
    try:
        reply = _clearinghouse().post("eligibility", {
            "payer": policy.payer.payer_code,
            "member_id": policy.member_id,
            "group": policy.group_number,
            "service_date": service_date.isoformat(),
        })
    except ExternalServiceError as exc:
        logger.warning("Eligibility check failed for policy %s: %s", policy.pk, exc)
        return False
    eligible = reply.get("coverage_status") == "active"
    EligibilityCheck.objects.create(policy=policy, service_date=service_date, is_eligible=eligible, response=reply)
    return eligible


def estimate_coverage(patient_id: int, line_items: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Split charges into payer and patient responsibility using copay + coinsurance."""
    total = money(sum((Decimal(str(item["amount"])) for item in line_items), Decimal("0")))
    policy = get_primary_policy(patient_id)
    if policy is None or total == 0:
        return {"insurance_portion": Decimal("0.00"), "patient_portion": total}
    after_copay = max(total - policy.copay, Decimal("0"))
    patient_share = min(total, policy.copay + percent_of(after_copay, policy.coinsurance_rate))
    return {"insurance_portion": money(total - patient_share), "patient_portion": money(patient_share)}


@transaction.atomic
def submit_claim_for_invoice(invoice_id: int) -> Claim:
    """Build and submit a professional claim for one invoice (idempotent per invoice)."""
    # Imported lazily: billing.services imports this module for eligibility checks.
    from clinic.billing.services import get_invoice_for_claim

    existing = Claim.objects.filter(invoice_id=invoice_id).first()
    if existing is not None and existing.status != Claim.Status.PENDING:
        return existing
    invoice = get_invoice_for_claim(invoice_id)
    policy = get_primary_policy(invoice["patient_id"])
    if policy is None:
        raise ValidationFailed("Patient has no active primary policy", details={"invoice": invoice["number"]})
    subscriber = Patient.objects.only("first_name", "last_name", "date_of_birth", "sex").get(pk=invoice["patient_id"])
    claim = existing or Claim.objects.create(invoice_id=invoice_id, policy=policy,
                                             amount_billed=Decimal(invoice["total_charge"]))
    payload = {
        "payer": policy.payer.payer_code,
        "member_id": policy.member_id,
        "subscriber": {"first_name": subscriber.first_name, "last_name": subscriber.last_name,
                       "dob": subscriber.date_of_birth.isoformat(), "sex": subscriber.sex},
        "claim_number": invoice["number"],
        "service_date": invoice["service_date"],
        "lines": invoice["lines"],
    }
    try:
        reply = _clearinghouse().post("claims", payload)
    except ExternalServiceError as exc:
        claim.last_error = str(exc)
        claim.save(update_fields=["last_error", "updated_at"])
        raise
    claim.status = Claim.Status.SUBMITTED
    claim.payer_claim_number = reply.get("claim_id", "")
    claim.submitted_at = timezone.now()
    claim.last_error = ""
    claim.save()
    logger.info("Submitted claim for invoice %s as %s", invoice["number"], claim.payer_claim_number)
    return claim


def close_claim(invoice_id: int, amount_paid: Decimal) -> bool:
    claim = Claim.objects.filter(invoice_id=invoice_id).first()
    if claim is None:
        return False
    if claim.status == Claim.Status.CLOSED:
        return True
    claim.status = Claim.Status.CLOSED
    claim.amount_paid = money(amount_paid)
    claim.save(update_fields=["status", "amount_paid", "updated_at"])
    return True


def refresh_policy_eligibility(patient_id: int) -> int:
    """Re-check every active policy for today; returns the number found eligible."""
    today = timezone.localdate()
    eligible = 0
    for policy in Policy.objects.filter(patient_id=patient_id, is_active=True).select_related("payer"):
        if policy.is_primary and check_eligibility(patient_id, today):
            eligible += 1
    if eligible == 0:
        logger.info("Patient %s has no verified coverage", patient_id)
    return eligible


def policies_for_patient(patient_id: int) -> list[dict[str, Any]]:
    policies = Policy.objects.filter(patient_id=patient_id).select_related("payer").order_by("-is_primary")
    if not policies:
        raise NotFound(f"No policies on file for patient {patient_id}")
    return [
        {"id": p.pk, "payer": p.payer.name, "member_id": p.member_id, "primary": p.is_primary,
         "active": p.is_active, "copay": p.copay}
        for p in policies
    ]
