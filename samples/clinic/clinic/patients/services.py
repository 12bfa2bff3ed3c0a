"""Patient registry use cases. Other apps should call these instead of querying Patient."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q

from clinic.core.exceptions import NotFound, ValidationFailed
from clinic.core.utils import generate_mrn, normalize_phone

from .models import Allergy, ContactPreference, Patient

logger = logging.getLogger(__name__)

MAX_MRN_ATTEMPTS = 5


def _get_patient(patient_id: int) -> Patient:
    try:
        return Patient.objects.select_related("primary_provider").get(pk=patient_id)
    except Patient.DoesNotExist as exc:
        raise NotFound(f"Patient {patient_id} does not exist") from exc


def _unique_mrn() -> str:
    for _ in range(MAX_MRN_ATTEMPTS):
        candidate = generate_mrn()
        if not Patient.objects.filter(mrn=candidate).exists():
            return candidate
    raise ValidationFailed("Could not allocate a medical record number; try again")


@transaction.atomic
def register_patient(data: dict[str, Any], *, registered_by: int | None = None) -> Patient:
    """Create a patient plus default contact preferences and return it."""
    duplicate = Patient.objects.filter(
        first_name__iexact=data["first_name"],
        last_name__iexact=data["last_name"],
        date_of_birth=data["date_of_birth"],
    ).first()
    if duplicate is not None:
        raise ValidationFailed("A patient with this name and date of birth already exists",
                               details={"mrn": duplicate.mrn})
    patient = Patient.objects.create(
        mrn=_unique_mrn(),
        first_name=data["first_name"].strip(),
        last_name=data["last_name"].strip(),
        date_of_birth=data["date_of_birth"],
        sex=data.get("sex", Patient.Sex.OTHER),
        email=data.get("email", ""),
        phone=normalize_phone(data.get("phone")) or "",
        address_line1=data.get("address_line1", ""),
        address_line2=data.get("address_line2", ""),
        city=data.get("city", ""),
        state=data.get("state", ""),
        postal_code=data.get("postal_code", ""),
        primary_provider_id=data.get("primary_provider_id"),
    )
    channel = ContactPreference.Channel.SMS if patient.phone else ContactPreference.Channel.EMAIL
    ContactPreference.objects.create(patient=patient, preferred_channel=channel,
                                     allow_sms=bool(patient.phone), allow_email=bool(patient.email))
    logger.info("Registered patient %s (by user %s)", patient.mrn, registered_by)
    return patient


@transaction.atomic
def update_contact_info(patient_id: int, *, email: str | None = None, phone: str | None = None,
                        preferred_channel: str | None = None) -> Patient:
    """Update email/phone and keep the contact preference consistent with them."""
    patient = _get_patient(patient_id)
    changed: list[str] = []
    if email is not None and email != patient.email:
        patient.email = email
        changed.append("email")
    if phone is not None:
        normalized = normalize_phone(phone)
        if phone and normalized is None:
            raise ValidationFailed("Invalid phone number", details={"phone": phone})
        patient.phone = normalized or ""
        changed.append("phone")
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    prefs, _ = ContactPreference.objects.get_or_create(patient=patient)
    if preferred_channel:
        prefs.preferred_channel = preferred_channel
    prefs.allow_sms = bool(patient.phone) and prefs.allow_sms
    prefs.allow_email = bool(patient.email) and prefs.allow_email
    prefs.save()
    logger.info("Updated contact info for patient %s: %s", patient.mrn, ", ".join(changed) or "preferences only")
    return patient


def deactivate_patient(patient_id: int, reason: str) -> Patient:
    """Mark a patient inactive (moved away, deceased, transferred care)."""
    if not reason.strip():
        raise ValidationFailed("A reason is required to deactivate a patient")
    patient = _get_patient(patient_id)
    if not patient.is_active:
        return patient
    patient.is_active = False
    patient.deactivated_reason = reason[:200]
    patient.save(update_fields=["is_active", "deactivated_reason", "updated_at"])
    logger.info("Deactivated patient %s: %s", patient.mrn, reason)
    return patient


@transaction.atomic
def anonymize_patient(patient_id: int) -> Patient:
    """Scrub direct identifiers for a patient whose retention period has lapsed."""
    patient = _get_patient(patient_id)
    if patient.is_active:
        raise ValidationFailed("Only inactive patients can be anonymized")
    patient.first_name = "Anonymized"
    patient.last_name = f"Patient-{patient.pk}"
    patient.email = ""
    patient.phone = ""
    patient.address_line1 = patient.address_line2 = ""
    patient.city = ""
    patient.postal_code = patient.postal_code[:3]
    patient.save()
    ContactPreference.objects.filter(patient=patient).update(allow_sms=False, allow_email=False,
                                                             preferred_channel=ContactPreference.Channel.NONE)
    logger.warning("Anonymized patient record %s", patient.mrn)
    return patient


def get_patient_summary(patient_id: int) -> dict[str, Any]:
    """Demographic summary used by scheduling, lab ordering and the chart."""
    patient = _get_patient(patient_id)
    provider = patient.primary_provider
    return {
        "id": patient.pk,
        "mrn": patient.mrn,
        "name": patient.full_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "age": patient.age(),
        "sex": patient.sex,
        "is_active": patient.is_active,
        "primary_provider_id": provider.pk if provider else None,
    }


def get_allergies(patient_id: int) -> list[dict[str, str]]:
    """All recorded allergies, most severe first."""
    order = {Allergy.Severity.SEVERE: 0, Allergy.Severity.MODERATE: 1, Allergy.Severity.MILD: 2}
    allergies = Allergy.objects.filter(patient_id=patient_id).only("substance", "severity", "reaction")
    rows = [{"substance": a.substance, "severity": a.severity, "reaction": a.reaction} for a in allergies]
    rows.sort(key=lambda row: order.get(row["severity"], 3))
    return rows


def record_allergy(patient_id: int, substance: str, severity: str, reaction: str = "",
                   recorded_by: int | None = None) -> Allergy:
    if severity not in Allergy.Severity.values:
        raise ValidationFailed("Unknown severity", details={"severity": severity})
    allergy, created = Allergy.objects.update_or_create(
        patient_id=patient_id,
        substance=substance.strip().lower(),
        defaults={"severity": severity, "reaction": reaction, "recorded_by_id": recorded_by},
    )
    logger.info("%s allergy %s for patient %s", "Recorded" if created else "Updated", allergy.substance, patient_id)
    return allergy


def get_contact_preferences(patient_id: int) -> dict[str, Any]:
    """Where and how the patient wants to be contacted; used by notifications."""
    patient = _get_patient(patient_id)
    prefs = ContactPreference.objects.filter(patient=patient).first()
    if prefs is None:
        return {"channel": "sms" if patient.phone else "email", "phone": patient.phone,
                "email": patient.email, "language": "en", "first_name": patient.first_name,
                "quiet_hours": None}
    quiet = None
    if prefs.quiet_hours_start and prefs.quiet_hours_end:
        quiet = (prefs.quiet_hours_start.isoformat(), prefs.quiet_hours_end.isoformat())
    return {
        "channel": prefs.preferred_channel,
        "phone": patient.phone if prefs.allow_sms else "",
        "email": patient.email if prefs.allow_email else "",
        "language": prefs.language,
        "first_name": patient.first_name,
        "quiet_hours": quiet,
    }


def search_patients(query: str, limit: int = 25) -> list[Patient]:
    """Front-desk search by name, MRN or phone digits."""
    query = query.strip()
    if len(query) < 2:
        return []
    filters = Q(last_name__istartswith=query) | Q(first_name__istartswith=query) | Q(mrn__iexact=query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 4:
        filters |= Q(phone__endswith=digits)
    return list(Patient.objects.filter(filters, is_active=True)[:limit])
