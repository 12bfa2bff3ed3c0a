"""Provider, shift and schedule-block tables."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from clinic.core.models import TimeStampedModel


class Provider(TimeStampedModel):
    class Specialty(models.TextChoices):
        FAMILY = "family", "Family medicine"
        PEDIATRICS = "peds", "Pediatrics"
        INTERNAL = "internal", "Internal medicine"
        NURSE_PRACTITIONER = "np", "Nurse practitioner"
        PHARMACY = "pharmacy", "Pharmacy"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider")
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=40, blank=True, help_text="e.g. MD, DO, NP-C")
    npi = models.CharField("NPI", max_length=10, unique=True)
    specialty = models.CharField(max_length=12, choices=Specialty.choices)
    license_number = models.CharField(max_length=30)
    license_state = models.CharField(max_length=2)
    license_expires = models.DateField()
    dea_number = models.CharField("DEA number", max_length=12, blank=True)
    is_accepting_patients = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        db_table = "staff_providers"
        ordering = ["display_name"]

    def __str__(self) -> str:
        suffix = f", {self.credentials}" if self.credentials else ""
        return f"{self.display_name}{suffix}"


class Shift(TimeStampedModel):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=60, default="Main clinic")

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["provider", "starts_at"])]


class ScheduleBlock(TimeStampedModel):
    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", "Appointment"
        BLOCKED = "blocked", "Blocked time"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="blocks")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    appointment_id = models.BigIntegerField(null=True, blank=True, unique=True)
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        db_table = "staff_schedule_blocks"
        indexes = [models.Index(fields=["provider", "starts_at", "ends_at"])]
