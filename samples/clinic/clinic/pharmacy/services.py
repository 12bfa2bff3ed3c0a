"""Prescribing and dispensing.

Safety checks need answers from patients (allergies) and staff (prescriber license), so
those calls are synchronous; every status change is a Prescription save that billing and
notifications observe through ``post_save``.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from clinic.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinic.core.utils import age_on
from clinic.patients.models import Patient
from clinic.patients.services import get_allergies
from clinic.staff.services import get_prescriber_license

from .models import InteractionRule, InventoryLot, Medication, Prescription

logger = logging.getLogger(__name__)

PRESCRIPTION_VALID_DAYS = 365
CONTROLLED_VALID_DAYS = 90
ACTIVE_STATUSES = (Prescription.Status.PENDING, Prescription.Status.READY, Prescription.Status.DISPENSED)


def _medication(ndc: str) -> Medication:
    try:
        return Medication.objects.get(ndc=ndc)
    except Medication.DoesNotExist as exc:
        raise ValidationFailed("Medication is not on the formulary", details={"ndc": ndc}) from exc


def _stock_on_hand(medication: Medication) -> int:
    today = timezone.localdate()
    total = InventoryLot.objects.filter(medication=medication, expires_on__gt=today).aggregate(
        total=Sum("quantity_on_hand")
    )["total"]
    return total or 0


def check_interactions(patient_id: int, medication: Medication) -> list[str]:
    """Warnings for interactions between ``medication`` and the patient's active prescriptions."""
    current = list(
        Prescription.objects.filter(patient_id=patient_id, status__in=ACTIVE_STATUSES)
        .select_related("medication")
        .values_list("medication__name", flat=True)
    )
    if not current:
        return []
    new_name = medication.name.lower()
    rules = InteractionRule.objects.filter(
        Q(ingredient_a__iexact=new_name, ingredient_b__in=[c.lower() for c in current])
        | Q(ingredient_b__iexact=new_name, ingredient_a__in=[c.lower() for c in current])
    )
    return [f"{rule.severity}: {rule.ingredient_a} + {rule.ingredient_b} -- {rule.note}" for rule in rules]


@transaction.atomic
def create_prescription(patient_id: int, prescriber_id: int, ndc: str, sig: str, quantity: int, *,
                        refills: int = 0, appointment_id: int | None = None,
                        override_warnings: bool = False) -> Prescription:
    """Validate and record a new prescription; it is READY when stock covers it."""
    medication = _medication(ndc)
    license_info = get_prescriber_license(prescriber_id)
    if license_info is None or not license_info["license_valid"]:
        raise PermissionDenied("Prescriber does not hold a valid license")
    if medication.controlled_schedule and not license_info["dea_number"]:
        raise PermissionDenied("A DEA registration is required for controlled substances")

    allergies = get_allergies(patient_id)
    name = medication.name.lower()
    for allergy in allergies:
        if allergy["substance"] in name:
            raise ValidationFailed("Patient is allergic to this medication", details=allergy)

    patient = Patient.objects.only("date_of_birth").get(pk=patient_id)
    if age_on(patient.date_of_birth) < medication.min_age_years:
        raise ValidationFailed(f"{medication} is not approved under age {medication.min_age_years}")

    warnings = check_interactions(patient_id, medication)
    if warnings and not override_warnings:
        raise Conflict("Potential drug interactions", details={"warnings": warnings})

    valid_days = CONTROLLED_VALID_DAYS if medication.controlled_schedule else PRESCRIPTION_VALID_DAYS
    status = Prescription.Status.READY if _stock_on_hand(medication) >= quantity else Prescription.Status.PENDING
    prescription = Prescription.objects.create(
        patient_id=patient_id,
        prescriber_id=prescriber_id,
        appointment_id=appointment_id,
        medication=medication,
        sig=sig,
        quantity=quantity,
        refills=min(refills, 0 if medication.controlled_schedule == 2 else 11),
        status=status,
        expires_on=timezone.localdate() + dt.timedelta(days=valid_days),
    )
    logger.info("Prescription %s created (%s, %s); warnings overridden: %s", prescription.pk, medication, status,
                bool(warnings))
    return prescription


@transaction.atomic
def dispense_prescription(prescription_id: int, pharmacist_id: int) -> Prescription:
    """Dispense from the earliest-expiring lots (FEFO)."""
    prescription = Prescription.objects.select_for_update().select_related("medication").filter(
        pk=prescription_id).first()
    if prescription is None:
        raise NotFound(f"Prescription {prescription_id} does not exist")
    if prescription.status != Prescription.Status.READY:
        raise Conflict(f"Prescription is {prescription.status}, not ready")
    if prescription.expires_on < timezone.localdate():
        raise Conflict("Prescription has expired")
    remaining = prescription.quantity
    lots = InventoryLot.objects.select_for_update().filter(
        medication=prescription.medication, expires_on__gt=timezone.localdate(), quantity_on_hand__gt=0)
    for lot in lots:
        take = min(remaining, lot.quantity_on_hand)
        lot.quantity_on_hand -= take
        lot.save(update_fields=["quantity_on_hand", "updated_at"])
        remaining -= take
        if remaining == 0:
            break
    if remaining:
        raise Conflict("Insufficient stock to dispense", details={"short_by": remaining})
    prescription.status = Prescription.Status.DISPENSED
    prescription.dispensed_at = timezone.now()
    prescription.dispensed_by_id = pharmacist_id
    prescription.save()
    return prescription


def cancel_prescription(prescription_id: int, reason: str) -> Prescription:
    prescription = Prescription.objects.filter(pk=prescription_id).first()
    if prescription is None:
        raise NotFound(f"Prescription {prescription_id} does not exist")
    if prescription.status == Prescription.Status.DISPENSED:
        raise Conflict("Dispensed prescriptions cannot be cancelled")
    prescription.status = Prescription.Status.CANCELLED
    prescription.cancel_reason = reason[:200]
    prescription.save(update_fields=["status", "cancel_reason", "updated_at"])
    return prescription


def active_medications(patient_id: int) -> list[dict[str, Any]]:
    """Current medication list for the chart."""
    rows = (
        Prescription.objects.filter(patient_id=patient_id, status__in=ACTIVE_STATUSES,
                                    expires_on__gte=timezone.localdate())
        .select_related("medication")
        .order_by("-created_at")
    )
    return [
        {"prescription_id": rx.pk, "medication": str(rx.medication), "sig": rx.sig, "status": rx.status,
         "refills": rx.refills, "expires_on": rx.expires_on.isoformat()}
        for rx in rows
    ]


def get_medication_price(medication_id: int) -> Decimal:
    """Unit price billing charges for a medication."""
    price = Medication.objects.filter(pk=medication_id).values_list("unit_price", flat=True).first()
    if price is None:
        raise NotFound(f"Medication {medication_id} does not exist")
    return price


def low_stock_report() -> list[dict[str, Any]]:
    today = timezone.localdate()
    report = []
    for medication in Medication.objects.all():
        on_hand = InventoryLot.objects.filter(medication=medication, expires_on__gt=today).aggregate(
            total=Sum("quantity_on_hand"))["total"] or 0
        if on_hand < medication.reorder_level:
            report.append({"ndc": medication.ndc, "name": str(medication), "on_hand": on_hand,
                           "reorder_level": medication.reorder_level})
    return report
