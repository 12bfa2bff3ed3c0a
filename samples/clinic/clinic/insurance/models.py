"""Payers, policies, eligibility checks and claims."""
from __future__ import annotations

from decimal import Decimal

from django.db import models

from clinic.core.models import AddressMixin, TimeStampedModel


class Payer(TimeStampedModel, AddressMixin):
    name = models.CharField(max_length=120)
    payer_code = models.CharField(max_length=20, unique=True, help_text="Clearinghouse payer id")
    supports_realtime_eligibility = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Policy(TimeStampedModel):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="policies")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT)
    member_id = models.CharField(max_length=40)
    group_number = models.CharField(max_length=40, blank=True)
    is_primary = models.BooleanField(default=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    copay = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    coinsurance_rate = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.200"))
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "policies"
        indexes = [models.Index(fields=["patient", "is_primary", "is_active"])]


class EligibilityCheck(TimeStampedModel):
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="checks")
    service_date = models.DateField()
    is_eligible = models.BooleanField()
    response = models.JSONField(default=dict)

    class Meta:
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["policy", "service_date"])]


class Claim(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        DENIED = "denied", "Denied"
        CLOSED = "closed", "Closed"

    invoice_id = models.BigIntegerField(unique=True, help_text="billing.Invoice primary key")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payer_claim_number = models.CharField(max_length=40, blank=True)
    amount_billed = models.DecimalField(max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    submitted_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        db_table = "insurance_claims"
