"""Lab catalog, orders, results and analyzer runs."""
from __future__ import annotations

from django.db import models

from clinic.core.models import TimeStampedModel


class LabTest(TimeStampedModel):
    loinc_code = models.CharField("LOINC", max_length=10, unique=True)
    name = models.CharField(max_length=120)
    specimen_type = models.CharField(max_length=40)
    unit = models.CharField(max_length=20, blank=True)
    reference_low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    critical_low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    critical_high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    performed_in_house = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class LabOrder(TimeStampedModel):
    class Status(models.TextChoices):
        ORDERED = "ordered", "Ordered"
        TRANSMITTED = "transmitted", "Sent to reference lab"
        IN_PROGRESS = "in_progress", "In progress"
        RESULTED = "resulted", "Resulted"
        CANCELLED = "cancelled", "Cancelled"

    class Priority(models.TextChoices):
        ROUTINE = "routine", "Routine"
        STAT = "stat", "STAT"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="lab_orders")
    ordering_provider = models.ForeignKey("staff.Provider", on_delete=models.PROTECT, related_name="lab_orders")
    appointment = models.ForeignKey("appointments.Appointment", null=True, blank=True, on_delete=models.SET_NULL)
    test = models.ForeignKey(LabTest, on_delete=models.PROTECT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ORDERED)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.ROUTINE)
    accession_number = models.CharField(max_length=30, blank=True, db_index=True)
    transmitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "transmitted_at"])]


class LabResult(TimeStampedModel):
    class Flag(models.TextChoices):
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    class Status(models.TextChoices):
        PRELIMINARY = "preliminary", "Preliminary"
        FINAL = "final", "Final"
        AMENDED = "amended", "Amended"

    order = models.ForeignKey(LabOrder, on_delete=models.CASCADE, related_name="results")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="lab_results")
    value = models.CharField(max_length=60)
    unit = models.CharField(max_length=20, blank=True)
    flag = models.CharField(max_length=10, choices=Flag.choices, default=Flag.NORMAL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PRELIMINARY)
    resulted_at = models.DateTimeField()
    report_text = models.TextField(blank=True)
    source_file = models.CharField(max_length=255, blank=True)
    amendment_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "lab_results"
        indexes = [models.Index(fields=["patient", "resulted_at"])]


class Instrument(TimeStampedModel):
    class FileFormat(models.TextChoices):
        CSV = "csv", "Delimited export"
        ASTM = "astm", "ASTM E1394"

    name = models.CharField(max_length=80)
    serial_number = models.CharField(max_length=40, unique=True)
    file_format = models.CharField(max_length=6, choices=FileFormat.choices)

    def __str__(self) -> str:
        return f"{self.name} ({self.serial_number})"


class InstrumentRun(TimeStampedModel):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="runs")
    file_path = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    error_log = models.TextField(blank=True)
