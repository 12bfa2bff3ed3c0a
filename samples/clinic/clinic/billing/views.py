"""Invoice, payment and statement endpoints, plus the payment-processor webhook."""
from __future__ import annotations

import hashlib
import hmac
import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from clinic.core.exceptions import ClinicError
from clinic.core.http import handle_clinic_errors, json_response, parse_json_body, require_fields
from clinic.core.permissions import BILLING, RoleRequiredMixin, role_required

from .models import Invoice, Payment
from .services import InvoiceService
from .tasks import send_patient_statement

logger = logging.getLogger(__name__)


def _invoice_dict(invoice: Invoice) -> dict:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "status": invoice.status,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "subtotal": invoice.subtotal,
        "insurance_portion": invoice.insurance_portion,
        "patient_portion": invoice.patient_portion,
        "balance": invoice.balance,
    }


@login_required
@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.prefetch_related("lines"), pk=pk)
    data = _invoice_dict(invoice)
    data["lines"] = [
        {"kind": line.kind, "code": line.code, "description": line.description, "quantity": line.quantity,
         "unit_price": line.unit_price}
        for line in invoice.lines.all()
    ]
    return json_response(data)


class InvoiceListView(RoleRequiredMixin, ListView):
    required_roles = (BILLING,)
    paginate_by = 100

    def get_queryset(self):
        queryset = Invoice.objects.all()
        status = self.request.GET.get("status")
        if status in Invoice.Status.values:
            queryset = queryset.filter(status=status)
        patient_id = self.request.GET.get("patient")
        if patient_id and patient_id.isdigit():
            queryset = queryset.filter(patient_id=int(patient_id))
        return queryset

    def render_to_response(self, context, **response_kwargs) -> HttpResponse:
        return json_response({"results": [_invoice_dict(inv) for inv in context["object_list"]]})


@login_required
@require_POST
@role_required(BILLING)
@handle_clinic_errors
def pay_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "amount", "method")
    try:
        amount = Decimal(str(data["amount"]))
    except InvalidOperation:
        return json_response({"error": "amount must be a number"}, status=422)
    payment = InvoiceService(actor_id=request.user.pk).record_payment(pk, amount, data["method"],
                                                                      data.get("reference", ""))
    return json_response({"payment_id": payment.pk, "amount": payment.amount}, status=201)


@login_required
@require_POST
@role_required(BILLING)
@handle_clinic_errors
def void_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    data = parse_json_body(request)
    require_fields(data, "reason")
    invoice = InvoiceService(actor_id=request.user.pk).void(pk, data["reason"])
    return json_response(_invoice_dict(invoice))


@login_required
@require_POST
def request_statement(request: HttpRequest, patient_id: int) -> HttpResponse:
    send_patient_statement.delay(patient_id)
    return json_response({"queued": True}, status=202)


@method_decorator(csrf_exempt, name="dispatch")
class PaymentWebhookView(View):
    """Card-processor callback for online payments (HMAC-signed)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        signature = request.headers.get("X-Signature", "")
        expected = hmac.new(settings.SECRET_KEY.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature, expected):
            return HttpResponseForbidden()
        event = parse_json_body(request)
        if event.get("type") != "payment.succeeded":
            return json_response({"ignored": event.get("type")})
        data = event.get("data", {})
        reference = data.get("id", "")
        if Payment.objects.filter(processor_reference=reference).exists():
            return json_response({"duplicate": True})
        try:
            InvoiceService().record_payment(int(data["invoice_id"]), Decimal(str(data["amount"])),
                                            Payment.Method.CARD, reference)
        except (KeyError, ValueError, ClinicError) as exc:
            logger.error("Could not apply webhook payment %s: %s", reference, exc)
            return json_response({"error": str(exc)}, status=400)
        return json_response({"applied": True})
