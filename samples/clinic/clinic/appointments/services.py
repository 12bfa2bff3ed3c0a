"""Scheduling use cases.

Booking consults patients and staff synchronously (it needs their answers); downstream
effects of a finished visit are announced with the ``appointment_completed`` signal.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Iterable

from django.db import transaction
from django.utils import timezone

from clinic.core.exceptions import Conflict, NotFound, ValidationFailed
from clinic.core.signals import appointment_completed
from clinic.insurance.services import check_eligibility
from clinic.notifications import services as notification_services
from clinic.notifications.tasks import send_reminder
from clinic.patients import services as patient_services
from clinic.staff.services import is_provider_available

from .models import Appointment, AppointmentType

logger = logging.getLogger(__name__)

REMINDER_LEAD = dt.timedelta(hours=24)
CANCELLABLE = {Appointment.Status.SCHEDULED, Appointment.Status.CHECKED_IN}


def _load(appointment_id: int, *, for_update: bool = False) -> Appointment:
    queryset = Appointment.objects.select_related("patient", "provider", "appointment_type")
    if for_update:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=appointment_id)
    except Appointment.DoesNotExist as exc:
        raise NotFound(f"Appointment {appointment_id} does not exist") from exc


def _appointment_type(code: str) -> AppointmentType:
    try:
        return AppointmentType.objects.get(code=code)
    except AppointmentType.DoesNotExist as exc:
        raise ValidationFailed("Unknown appointment type", details={"type": code}) from exc


@transaction.atomic
def book_appointment(patient_id: int, provider_id: int, type_code: str, starts_at: dt.datetime,
                     *, reason: str = "", booked_by: int | None = None) -> Appointment:
    """Book a visit after checking the patient is active and the provider is free."""
    if starts_at <= timezone.now():
        raise ValidationFailed("Appointments must be booked in the future")
    summary = patient_services.get_patient_summary(patient_id)
    if not summary["is_active"]:
        raise ValidationFailed("Patient record is inactive", details={"mrn": summary["mrn"]})
    appt_type = _appointment_type(type_code)
    ends_at = starts_at + dt.timedelta(minutes=appt_type.default_minutes)
    if not is_provider_available(provider_id, starts_at, ends_at):
        raise Conflict("The provider is not available at that time")
    appt = Appointment.objects.create(
        patient_id=patient_id,
        provider_id=provider_id,
        appointment_type=appt_type,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason[:200],
        booked_by_id=booked_by,
    )
    reminder_at = starts_at - REMINDER_LEAD
    if reminder_at > timezone.now():
        send_reminder.apply_async(args=[appt.id], eta=reminder_at)
    logger.info("Booked appointment %s for patient %s with provider %s", appt.pk, summary["mrn"], provider_id)
    return appt


@transaction.atomic
def reschedule_appointment(appointment_id: int, new_start: dt.datetime, *, by_user: int | None = None) -> Appointment:
    appt = _load(appointment_id, for_update=True)
    if appt.status != Appointment.Status.SCHEDULED:
        raise Conflict(f"Cannot reschedule an appointment that is {appt.status}")
    new_end = new_start + appt.duration
    if not is_provider_available(appt.provider_id, new_start, new_end, exclude_appointment=appt.pk):
        raise Conflict("The provider is not available at the new time")
    old_start = appt.starts_at
    appt.starts_at, appt.ends_at = new_start, new_end
    appt.save(update_fields=["starts_at", "ends_at", "updated_at"])
    notification_services.notify_patient(
        appt.patient_id,
        "appointment_rescheduled",
        {"old_start": old_start.isoformat(), "new_start": new_start.isoformat(), "appointment_id": appt.pk},
    )
    logger.info("Rescheduled appointment %s from %s to %s (user %s)", appt.pk, old_start, new_start, by_user)
    return appt


@transaction.atomic
def cancel_appointment(appointment_id: int, reason: str, *, by_user: int | None = None) -> Appointment:
    appt = _load(appointment_id, for_update=True)
    if appt.status not in CANCELLABLE:
        raise Conflict(f"Cannot cancel an appointment that is {appt.status}")
    appt.status = Appointment.Status.CANCELLED
    appt.cancelled_reason = reason[:200]
    appt.save(update_fields=["status", "cancelled_reason", "updated_at"])
    if appt.patient.phone:
        notification_services.send_sms(
            appt.patient.phone,
            f"Your visit on {appt.starts_at:%b %d at %I:%M %p} has been cancelled. "
            "Call us to rebook.",
            patient_id=appt.patient_id,
        )
    logger.info("Cancelled appointment %s (user %s): %s", appt.pk, by_user, reason)
    return appt


@transaction.atomic
def check_in_patient(appointment_id: int, room: str = "") -> Appointment:
    """Front-desk check-in; verifies insurance eligibility for today's date."""
    appt = _load(appointment_id, for_update=True)
    if appt.status != Appointment.Status.SCHEDULED:
        raise Conflict(f"Cannot check in an appointment that is {appt.status}")
    if appt.starts_at.date() != timezone.localdate():
        raise ValidationFailed("Patients can only be checked in on the day of the visit")
    verified = check_eligibility(appt.patient_id, appt.starts_at.date())
    if not verified:
        logger.warning("Eligibility could not be verified for appointment %s; self-pay rules apply", appt.pk)
    appt.status = Appointment.Status.CHECKED_IN
    appt.checked_in_at = timezone.now()
    appt.insurance_verified = verified
    appt.room = room
    appt.save()
    return appt


@transaction.atomic
def complete_appointment(appointment_id: int, *, notes: str = "", diagnosis_codes: Iterable[str] = (),
                         procedure_codes: Iterable[str] = (), medication_orders: Iterable[dict] = (),
                         lab_orders: Iterable[str] = ()) -> Appointment:
    """Close out a visit and announce it; billing, records, pharmacy, lab and notifications react."""
    appt = _load(appointment_id, for_update=True)
    if appt.status != Appointment.Status.CHECKED_IN:
        raise Conflict(f"Only checked-in appointments can be completed (this one is {appt.status})")
    diagnosis_codes = [code.strip().upper() for code in diagnosis_codes if code.strip()]
    if not diagnosis_codes:
        raise ValidationFailed("At least one diagnosis code is required to complete a visit")
    procedure_codes = list(procedure_codes) or [appt.appointment_type.cpt_code]
    appt.status = Appointment.Status.COMPLETED
    appt.completed_at = timezone.now()
    appt.save(update_fields=["status", "completed_at", "updated_at"])
    appointment_completed.send(
        sender=Appointment,
        appointment=appt,
        notes=notes,
        diagnosis_codes=diagnosis_codes,
        procedure_codes=procedure_codes,
        medication_orders=list(medication_orders),
        lab_orders=list(lab_orders),
    )
    return appt


def mark_no_shows(grace: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """Flag scheduled visits whose start passed ``grace`` ago without a check-in."""
    cutoff = timezone.now() - grace
    count = Appointment.objects.filter(status=Appointment.Status.SCHEDULED, starts_at__lt=cutoff).update(
        status=Appointment.Status.NO_SHOW
    )
    if count:
        logger.info("Marked %d appointment(s) as no-show", count)
    return count


def get_appointment_details(appointment_id: int) -> dict[str, Any]:
    """Flat description of one appointment for reminders and receipts."""
    appt = _load(appointment_id)
    return {
        "id": appt.pk,
        "patient_id": appt.patient_id,
        "provider_id": appt.provider_id,
        "provider_name": appt.provider.display_name,
        "type": appt.appointment_type.name,
        "starts_at": appt.starts_at.isoformat(),
        "status": appt.status,
        "is_telehealth": appt.appointment_type.is_telehealth,
    }


def visit_history(patient_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Completed visits for the chart, newest first."""
    visits = (
        Appointment.objects.filter(patient_id=patient_id, status=Appointment.Status.COMPLETED)
        .select_related("provider", "appointment_type")
        .order_by("-starts_at")[:limit]
    )
    return [
        {"id": v.pk, "date": v.starts_at.date().isoformat(), "type": v.appointment_type.name,
         "provider": v.provider.display_name, "reason": v.reason}
        for v in visits
    ]


def upcoming_for_provider(provider_id: int, day: dt.date) -> list[Appointment]:
    return list(
        Appointment.objects.active().on_day(day).filter(provider_id=provider_id).select_related("patient")
    )
