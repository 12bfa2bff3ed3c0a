"""Invoice lifecycle. Coverage questions go to insurance synchronously; claims are queued."""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from clinic.core.exceptions import Conflict, NotFound, ValidationFailed
from clinic.core.signals import invoice_paid
from clinic.core.utils import money
from clinic.insurance.services import check_eligibility, estimate_coverage
from clinic.insurance.tasks import submit_claim

from .models import FeeSchedule, Invoice, InvoiceLine, Payment

if TYPE_CHECKING:
    from clinic.appointments.models import Appointment

logger = logging.getLogger(__name__)

OPEN_STATUSES = (Invoice.Status.DRAFT, Invoice.Status.OPEN)


def price_for(code: str, on: dt.date | None = None) -> tuple[str, Decimal]:
    """Return (description, amount) from the fee schedule effective on ``on``."""
    on = on or timezone.localdate()
    fee = (
        FeeSchedule.objects.filter(code=code, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .order_by("-effective_from")
        .first()
    )
    if fee is None:
        raise ValidationFailed(f"No fee schedule entry for {code}", details={"code": code})
    return fee.description, fee.amount


def next_invoice_number() -> str:
    year = timezone.localdate().year
    last = Invoice.objects.filter(number__startswith=f"INV-{year}-").order_by("-number").first()
    sequence = int(last.number.rsplit("-", 1)[1]) + 1 if last else 1
    return f"INV-{year}-{sequence:06d}"


class InvoiceService:
    """Creates and settles invoices. One instance per request or batch run."""

    def __init__(self, *, actor_id: int | None = None) -> None:
        self.actor_id = actor_id

    @transaction.atomic
    def create_for_appointment(self, appointment: Appointment, procedure_codes: Iterable[str]) -> Invoice:
        """Price a completed visit, split it between payer and patient, and queue the claim."""
        existing = Invoice.objects.filter(appointment_id=appointment.pk).first()
        if existing is not None:
            logger.info("Appointment %s already invoiced as %s", appointment.pk, existing.number)
            return existing
        service_date = appointment.starts_at.date()
        invoice = Invoice.objects.create(number=next_invoice_number(), patient_id=appointment.patient_id,
                                         appointment_id=appointment.pk)
        for code in procedure_codes:
            self.add_line(invoice, InvoiceLine.Kind.PROCEDURE, code, on=service_date)
        lines = [{"code": line.code, "amount": line.total} for line in invoice.lines.all()]
        if check_eligibility(appointment.patient_id, service_date):
            coverage = estimate_coverage(appointment.patient_id, lines)
            invoice.insurance_portion = money(coverage["insurance_portion"])
        else:
            logger.info("Patient %s not eligible on %s; billing as self-pay", appointment.patient_id, service_date)
        self._finalize(invoice)
        if invoice.insurance_portion > 0:
            submit_claim.delay(invoice.pk)
        return invoice

    def add_line(self, invoice: Invoice, kind: str, code: str, *, quantity: int = 1, on: dt.date | None = None,
                 unit_price: Decimal | None = None, description: str = "", source_reference: str = "") -> InvoiceLine:
        if invoice.status not in OPEN_STATUSES:
            raise Conflict(f"Invoice {invoice.number} is {invoice.status}; lines cannot be added")
        if unit_price is None:
            description, unit_price = price_for(code, on)
        line = InvoiceLine.objects.create(invoice=invoice, kind=kind, code=code, quantity=quantity,
                                          unit_price=unit_price, description=description[:200],
                                          source_reference=source_reference)
        invoice.subtotal = money(invoice.subtotal + line.total)
        invoice.save(update_fields=["subtotal", "updated_at"])
        return line

    def _finalize(self, invoice: Invoice) -> None:
        invoice.patient_portion = money(max(invoice.subtotal - invoice.insurance_portion, Decimal("0")))
        invoice.status = Invoice.Status.OPEN
        invoice.issued_on = timezone.localdate()
        invoice.due_on = invoice.issued_on + dt.timedelta(days=settings.INVOICE_DUE_DAYS)
        invoice.save()
        logger.info("Issued invoice %s: subtotal %s, patient owes %s", invoice.number, invoice.subtotal,
                    invoice.patient_portion)

    @transaction.atomic
    def record_payment(self, invoice_id: int, amount: Decimal, method: str, reference: str = "") -> Payment:
        """Apply a payment; announces ``invoice_paid`` when the balance reaches zero."""
        invoice = Invoice.objects.select_for_update().select_related("patient").filter(pk=invoice_id).first()
        if invoice is None:
            raise NotFound(f"Invoice {invoice_id} does not exist")
        if invoice.status != Invoice.Status.OPEN:
            raise Conflict(f"Invoice {invoice.number} is {invoice.status}")
        amount = money(amount)
        if amount <= 0 or amount > invoice.balance:
            raise ValidationFailed("Payment must be positive and no more than the balance",
                                   details={"balance": str(invoice.balance)})
        if reference and Payment.objects.filter(processor_reference=reference).exists():
            raise Conflict("This payment was already recorded", details={"reference": reference})
        payment = Payment.objects.create(invoice=invoice, amount=amount, method=method,
                                         processor_reference=reference, received_at=timezone.now())
        invoice.amount_paid = F("amount_paid") + amount
        invoice.save(update_fields=["amount_paid", "updated_at"])
        invoice.refresh_from_db()
        if invoice.balance <= 0:
            invoice.status = Invoice.Status.PAID
            invoice.save(update_fields=["status", "updated_at"])
            invoice_paid.send(sender=Invoice, invoice=invoice, payment=payment)
        logger.info("Recorded %s payment of %s on %s (actor %s)", method, amount, invoice.number, self.actor_id)
        return payment

    @transaction.atomic
    def void(self, invoice_id: int, reason: str) -> Invoice:
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if invoice.payments.exists():
            raise Conflict("Invoices with payments must be refunded, not voided")
        invoice.status = Invoice.Status.VOID
        invoice.void_reason = reason[:200]
        invoice.save(update_fields=["status", "void_reason", "updated_at"])
        logger.warning("Voided invoice %s: %s", invoice.number, reason)
        return invoice


def open_medication_invoice(patient_id: int) -> Invoice:
    """Pharmacy charges accrue on one draft invoice per patient until finalized."""
    invoice = Invoice.objects.filter(patient_id=patient_id, appointment__isnull=True,
                                     status=Invoice.Status.DRAFT).first()
    if invoice is None:
        invoice = Invoice.objects.create(number=next_invoice_number(), patient_id=patient_id)
    return invoice


def get_outstanding_balance(patient_id: int) -> Decimal:
    """Total the patient still owes across open invoices."""
    totals = Invoice.objects.filter(patient_id=patient_id, status=Invoice.Status.OPEN).aggregate(
        owed=Sum("patient_portion"), paid=Sum("amount_paid")
    )
    return money((totals["owed"] or Decimal("0")) - (totals["paid"] or Decimal("0")))


def get_invoice_for_claim(invoice_id: int) -> dict[str, Any]:
    """The facts a claim needs: dates, lines and amounts (used by insurance)."""
    invoice = Invoice.objects.select_related("appointment").prefetch_related("lines").filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(f"Invoice {invoice_id} does not exist")
    service_date = invoice.appointment.starts_at.date() if invoice.appointment else invoice.issued_on
    return {
        "invoice_id": invoice.pk,
        "number": invoice.number,
        "patient_id": invoice.patient_id,
        "service_date": service_date.isoformat() if service_date else None,
        "provider_id": invoice.appointment.provider_id if invoice.appointment else None,
        "lines": [
            {"code": line.code, "quantity": line.quantity, "charge": str(line.total)}
            for line in invoice.lines.all()
        ],
        "total_charge": str(invoice.subtotal),
        "expected_payer_amount": str(invoice.insurance_portion),
    }
