"""Patient demographics. Tables use Django's default names (``patients_<model>``)."""
from __future__ import annotations

import datetime as dt

from django.db import models

from clinic.core.models import AddressMixin, PublicIdModel, TimeStampedModel
from clinic.core.utils import age_on


class Patient(PublicIdModel, AddressMixin):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other / undisclosed"

    mrn = models.CharField("medical record number", max_length=20, unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, db_index=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.OTHER)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    primary_provider = models.ForeignKey(
        "staff.Provider", null=True, blank=True, on_delete=models.SET_NULL, related_name="panel"
    )
    is_active = models.BooleanField(default=True)
    deactivated_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age(self, on: dt.date | None = None) -> int:
        return age_on(self.date_of_birth, on)


class ContactPreference(TimeStampedModel):
    class Channel(models.TextChoices):
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"
        NONE = "none", "Do not contact"

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="contact_preference")
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS)
    allow_sms = models.BooleanField(default=True)
    allow_email = models.BooleanField(default=True)
    language = models.CharField(max_length=5, default="en")
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)


class Allergy(TimeStampedModel):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(max_length=120)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    reaction = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey("staff.Provider", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name_plural = "allergies"
        constraints = [models.UniqueConstraint(fields=["patient", "substance"], name="uniq_patient_allergy")]
