"""Appointment tables (default Django names: ``appointments_appointment`` etc.)."""
from __future__ import annotations

import datetime as dt

from django.db import models

from clinic.core.models import PublicIdModel, TimeStampedModel


class AppointmentType(TimeStampedModel):
    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=80)
    default_minutes = models.PositiveSmallIntegerField(default=20)
    cpt_code = models.CharField("default CPT code", max_length=5, blank=True)
    is_telehealth = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])

    def on_day(self, day: dt.date):
        return self.filter(starts_at__date=day)


class Appointment(PublicIdModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No show"

    class BillingStatus(models.TextChoices):
        UNBILLED = "unbilled", "Unbilled"
        BILLED = "billed", "Billed"
        WAIVED = "waived", "Waived"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="appointments")
    provider = models.ForeignKey("staff.Provider", on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    reason = models.CharField(max_length=200, blank=True)
    room = models.CharField(max_length=10, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    insurance_verified = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.CharField(max_length=200, blank=True)
    # Written by billing's nightly run -- a known ownership smell.
    billing_status = models.CharField(max_length=10, choices=BillingStatus.choices, default=BillingStatus.UNBILLED)
    booked_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["provider", "starts_at"]),
            models.Index(fields=["status", "billing_status"]),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at
