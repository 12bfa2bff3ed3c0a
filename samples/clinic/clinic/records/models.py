"""Chart, visit notes, chart documents and the access log."""
from __future__ import annotations

from django.db import models

from clinic.core.models import TimeStampedModel


class Chart(TimeStampedModel):
    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="chart")
    problem_list = models.JSONField(default=list, blank=True)
    last_visit_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Chart for patient {self.patient_id}"


class VisitNote(TimeStampedModel):
    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="notes")
    appointment_id = models.BigIntegerField(unique=True)
    author = models.ForeignKey("staff.Provider", null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField(blank=True)
    diagnosis_codes = models.JSONField(default=list)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ChartDocument(TimeStampedModel):
    class Kind(models.TextChoices):
        LAB_REPORT = "lab_report", "Lab report"
        REFERRAL = "referral", "Referral letter"
        SCAN = "scan", "Scanned document"

    chart = models.ForeignKey(Chart, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    lab_result_id = models.BigIntegerField(null=True, blank=True, db_index=True)


class AccessLog(models.Model):
    user_id = models.BigIntegerField(null=True)
    patient_id = models.BigIntegerField(db_index=True)
    action = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "records_access_log"
