"""Formulary, prescriptions, stock and interaction rules."""
from __future__ import annotations

from django.db import models

from clinic.core.models import TimeStampedModel


class Medication(TimeStampedModel):
    ndc = models.CharField("NDC", max_length=13, unique=True)
    name = models.CharField(max_length=120)
    strength = models.CharField(max_length=40)
    form = models.CharField(max_length=30, help_text="tablet, capsule, suspension, ...")
    unit_price = models.DecimalField(max_digits=8, decimal_places=2)
    controlled_schedule = models.PositiveSmallIntegerField(null=True, blank=True, help_text="DEA schedule II-V")
    min_age_years = models.PositiveSmallIntegerField(default=0)
    reorder_level = models.PositiveIntegerField(default=50)

    def __str__(self) -> str:
        return f"{self.name} {self.strength}"


class Prescription(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending stock"
        READY = "ready", "Ready for pickup"
        DISPENSED = "dispensed", "Dispensed"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="prescriptions")
    prescriber = models.ForeignKey("staff.Provider", on_delete=models.PROTECT, related_name="prescriptions")
    appointment = models.ForeignKey("appointments.Appointment", null=True, blank=True, on_delete=models.SET_NULL)
    medication = models.ForeignKey(Medication, on_delete=models.PROTECT)
    sig = models.CharField("directions", max_length=200)
    quantity = models.PositiveIntegerField()
    refills = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    dispensed_at = models.DateTimeField(null=True, blank=True)
    dispensed_by = models.ForeignKey("staff.Provider", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    expires_on = models.DateField()
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "rx_prescription"
        indexes = [models.Index(fields=["patient", "status"])]


class InventoryLot(TimeStampedModel):
    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="lots")
    lot_number = models.CharField(max_length=30)
    quantity_on_hand = models.PositiveIntegerField()
    expires_on = models.DateField()

    class Meta:
        ordering = ["expires_on"]


class InteractionRule(models.Model):
    class Severity(models.TextChoices):
        MINOR = "minor", "Minor"
        MAJOR = "major", "Major"
        CONTRAINDICATED = "contraindicated", "Contraindicated"

    ingredient_a = models.CharField(max_length=80, db_index=True)
    ingredient_b = models.CharField(max_length=80, db_index=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    note = models.TextField()
