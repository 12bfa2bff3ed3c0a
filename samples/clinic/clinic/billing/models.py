"""Fee schedule, invoices, invoice lines and payments."""
from __future__ import annotations

from decimal import Decimal

from django.db import models

from clinic.core.models import PublicIdModel, TimeStampedModel


class FeeSchedule(TimeStampedModel):
    code = models.CharField(max_length=12, help_text="CPT/HCPCS code or internal SKU")
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-effective_from"]
        indexes = [models.Index(fields=["code", "effective_from"])]


class Invoice(PublicIdModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        VOID = "void", "Void"

    number = models.CharField(max_length=20, unique=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="invoices")
    appointment = models.OneToOneField("appointments.Appointment", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="invoice")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    subtotal = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    insurance_portion = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    patient_portion = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    amount_paid = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "billing_invoice"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        return self.patient_portion - self.amount_paid


class InvoiceLine(TimeStampedModel):
    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        PROCEDURE = "procedure", "Procedure"
        MEDICATION = "medication", "Medication"
        LAB = "lab", "Lab"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=12)
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    source_reference = models.CharField(max_length=40, blank=True, help_text="e.g. rx:123")

    @property
    def total(self) -> Decimal:
        return self.unit_price * self.quantity


class Payment(TimeStampedModel):
    class Method(models.TextChoices):
        CARD = "card", "Card"
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        INSURANCE = "insurance", "Insurance remittance"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    method = models.CharField(max_length=10, choices=Method.choices)
    processor_reference = models.CharField(max_length=80, blank=True, db_index=True)
    received_at = models.DateTimeField()
